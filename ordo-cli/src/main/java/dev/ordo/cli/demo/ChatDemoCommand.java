package dev.ordo.cli.demo;

import dev.ordo.causal.CausalDeliveryBuffer;
import dev.ordo.causal.VectorClock;
import dev.ordo.check.Anomaly;
import dev.ordo.check.CausalDelivery;
import dev.ordo.check.CheckReport;
import dev.ordo.check.OrderingChecker;
import dev.ordo.cli.ExitCode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ordo demo chat}: causal delivery, so that a reply never overtakes its question. */
@Command(
        name = "chat",
        mixinStandardHelpOptions = true,
        description = {
            "Users in a group chat post questions and reply to what they have read; every post is broadcast",
            "through a network that reorders and duplicates. Each user's client delivers through Ordo's causal",
            "delivery buffer (vector clocks), so no reply is shown before its question. The same traffic shown in",
            "arrival order is checked too. Exit code 0 when Ordo's delivery has no causal violation."
        })
public final class ChatDemoCommand implements Callable<Integer> {

    @Option(names = "--users", defaultValue = "8", description = "Users (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--posts", defaultValue = "300", description = "Posts per user (default ${DEFAULT-VALUE}).")
    int posts;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private static final String[] QUESTIONS = {
        "the build logs", "the release notes", "my coffee mug", "the on-call rota"
    };

    private record Post(String id, String author, VectorClock clock, String text) {}

    private record InFlight(int to, Post post) {}

    @Override
    public Integer call() {
        if (users < 2 || posts < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "users must be >= 2 and posts >= 1, were " + users + " and " + posts);
        }
        PrintWriter out = spec.commandLine().getOut();
        Random random = new Random(seed);
        List<String> names = new ArrayList<>();
        List<List<String>> screens = new ArrayList<>();
        List<CausalDeliveryBuffer<Post>> clients = new ArrayList<>();
        List<CausalDelivery> ordo = new ArrayList<>();
        List<CausalDelivery> naive = new ArrayList<>();
        List<Post> lastSeen = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            String name = "user-" + u;
            names.add(name);
            List<String> screen = new ArrayList<>();
            screens.add(screen);
            lastSeen.add(null);
            int self = u;
            clients.add(CausalDeliveryBuffer.<Post>builder()
                    .maxBuffered(users * posts)
                    .build((sender, clock, post) -> {
                        ordo.add(new CausalDelivery(name, post.id(), sender, clock));
                        screen.add(post.author() + ": " + post.text());
                        if (!post.author().equals(name)) {
                            lastSeen.set(self, post);
                        }
                    }));
        }
        List<InFlight> network = new ArrayList<>();
        int[] sent = new int[users];
        int total = users * posts;
        int posted = 0;
        while (posted < total || !network.isEmpty()) {
            int u = random.nextInt(users);
            if (posted < total && sent[u] < posts && random.nextInt(2) == 0) {
                String name = names.get(u);
                VectorClock clock = clients.get(u).deliveredClock().increment(name);
                Post replyTo = lastSeen.get(u);
                String text = replyTo != null && random.nextBoolean()
                        ? "re " + replyTo.id() + ": sure"
                        : "anyone seen " + QUESTIONS[random.nextInt(QUESTIONS.length)] + "?";
                Post post = new Post(name + "#" + clock.get(name), name, clock, text);
                lastSeen.set(u, null);
                clients.get(u).offer(name, clock, post);
                for (int to = 0; to < users; to++) {
                    if (to != u) {
                        network.add(new InFlight(to, post));
                        if (random.nextInt(10) == 0) {
                            network.add(new InFlight(to, post));
                        }
                    }
                }
                sent[u]++;
                posted++;
            } else if (!network.isEmpty()) {
                // The network delivers a random message in flight: reordering within everything outstanding.
                int pick = random.nextInt(network.size());
                InFlight m = network.get(pick);
                Collections.swap(network, pick, network.size() - 1);
                network.remove(network.size() - 1);
                naive.add(new CausalDelivery(
                        names.get(m.to()),
                        m.post().id(),
                        m.post().author(),
                        m.post().clock()));
                clients.get(m.to()).offer(m.post().author(), m.post().clock(), m.post());
            }
        }

        CheckReport arrivalOrder = OrderingChecker.checkCausal(naive);
        CheckReport delivered = OrderingChecker.checkCausal(ordo);
        out.println("Ordo chat demo (causal delivery)");
        out.println();
        out.printf(
                Locale.ROOT,
                "%d users, %,d posts each, broadcast through a reordering, duplicating network%n%n",
                users,
                posts);
        out.printf(Locale.ROOT, "  %-22s %14s %14s%n", "", "arrival order", "through Ordo");
        out.printf(
                Locale.ROOT,
                "  %-22s %,14d %,14d%n",
                "causal violations",
                arrivalOrder.count(Anomaly.CAUSAL_VIOLATION),
                delivered.count(Anomaly.CAUSAL_VIOLATION));
        out.printf(
                Locale.ROOT,
                "  %-22s %,14d %,14d%n",
                "duplicates shown",
                arrivalOrder.count(Anomaly.DUPLICATED),
                delivered.count(Anomaly.DUPLICATED));
        out.println();
        if (arrivalOrder.first(Anomaly.CAUSAL_VIOLATION) != null) {
            out.println("  in arrival order, for example: " + arrivalOrder.first(Anomaly.CAUSAL_VIOLATION));
        }
        out.println("  " + names.get(0) + "'s screen through Ordo, first lines:");
        screens.get(0).stream().limit(6).forEach(line -> out.println("    " + line));
        out.println();
        long expected = (long) users * total;
        boolean passed = delivered.isClean() && delivered.received() == expected;
        out.printf(
                Locale.ROOT,
                "checker: %,d deliveries through Ordo (expected %,d), %s%n",
                delivered.received(),
                expected,
                delivered.isClean() ? "no causal violations" : delivered.summary());
        out.println(passed ? "RESULT: PASS" : "RESULT: FAIL");
        out.flush();
        return passed ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }
}
