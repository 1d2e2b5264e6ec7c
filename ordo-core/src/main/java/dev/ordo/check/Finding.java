package dev.ordo.check;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * How often one kind of anomaly occurred and where it first did.
 *
 * @param anomaly the kind
 * @param count how many times it occurred
 * @param first a description of the first occurrence, naming the messages involved
 */
@JsonPropertyOrder({"anomaly", "severity", "count", "first"})
public record Finding(Anomaly anomaly, long count, String first) {

    /** The kind's severity, {@code anomaly().severity()}. */
    @JsonProperty("severity")
    public Severity severity() {
        return anomaly.severity();
    }
}
