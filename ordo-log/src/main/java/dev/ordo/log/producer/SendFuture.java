package dev.ordo.log.producer;

import dev.ordo.engine.Acknowledgement;
import java.util.concurrent.CompletableFuture;

/**
 * The future of one record sent, linked to the next record's in its {@link ProducerBatch}: a batch keeps its
 * records' futures as a chain instead of a list, whose array and its growth cost a producer about 20 bytes per
 * record. The link fits in the padding of a {@link CompletableFuture}, so it costs nothing; it is cleared as the
 * future completes, so a future the application keeps holds on to no other.
 */
final class SendFuture extends CompletableFuture<Acknowledgement> {
    /** The batch's next record's future; written under the sender's lock, read by the sender thread. */
    SendFuture next;
}
