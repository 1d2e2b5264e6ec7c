/**
 * A tamper-evident record of what a consumer handled: {@link dev.ordo.audit.AuditTrail} wraps a
 * handler and appends one hash-chained entry per handling to a file, {@link dev.ordo.audit.AuditVerifier}
 * names the first broken link of such a file. The format and what a chain proves: {@code docs/audit.md}.
 */
package dev.ordo.audit;
