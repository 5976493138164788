package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.gateway.media.PromptPlayer;
import io.dialtone.gateway.media.RtpSender;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.Reason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PIN entry with real prompts played over loopback; routing stands in as a function that knows PIN 4321. */
class PinCollectorTest {
    private static final Decision.Accept ADMITTED = new Decision.Accept(null, null, "boardroom", null, null);

    private ScheduledExecutorService clock;
    private DatagramChannel gateway;
    private DatagramChannel phone;
    private PromptPlayer player;
    private final List<PinEntry> routed = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> outcome = new CompletableFuture<>();
    private volatile Consumer<Character> listener;

    @BeforeEach
    void open() throws Exception {
        clock = Executors.newScheduledThreadPool(2);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        gateway = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        phone = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        player = new PromptPlayer("c", gateway, Codec.PCMU, new RtpSender(0, "c"),
                () -> (InetSocketAddress) localAddress(phone));
        player.start(clock);
    }

    @AfterEach
    void close() throws Exception {
        player.close();
        clock.shutdownNow();
        gateway.close();
        phone.close();
    }

    private PinCollector collector(Duration wait) {
        return new PinCollector(l -> listener = l, wait, player, clock, "boardroom", pin -> {
            routed.add(pin);
            return pin.equals(PinEntry.entered("4321")) ? ADMITTED
                    : new Decision.Reject(Reason.PIN_INCORRECT, null, null, "wrong PIN");
        }, new PinCollector.Outcome() {
            @Override
            public void admitted(Decision.Accept accept) {
                outcome.complete("admitted to " + accept.roomName());
            }

            @Override
            public void refused(Reason reason, String rule, String detail) {
                outcome.complete(reason.metricLabel() + " on " + rule + ": " + detail);
            }
        });
    }

    private void press(String keys) {
        for (char key : keys.toCharArray()) {
            Consumer<Character> current = listener;
            if (current != null) {
                current.accept(key);
            }
        }
    }

    @Test
    void theRightPinTypedDuringThePromptAdmitsAtOnce() throws Exception {
        collector(Duration.ofSeconds(10)).start();
        press("4321#");
        assertThat(outcome.get(1, TimeUnit.SECONDS)).isEqualTo("admitted to boardroom");
        assertThat(routed).containsExactly(PinEntry.entered("4321"));
        assertThat(listener).as("no longer listening").isNull();
    }

    @Test
    void aWrongPinGetsOneMoreTry() throws Exception {
        collector(Duration.ofSeconds(10)).start();
        press("12#");
        Thread.sleep(200);
        assertThat(outcome).isNotDone();
        press("4*3x21#");
        assertThat(outcome.get(1, TimeUnit.SECONDS)).isEqualTo("admitted to boardroom");
        assertThat(routed).containsExactly(PinEntry.entered("12"), PinEntry.entered("4321"));
    }

    @Test
    void twoWrongPinsAreRefusedAfterTheGoodbyePrompt() throws Exception {
        collector(Duration.ofSeconds(10)).start();
        long started = System.nanoTime();
        press("1#2#3#");
        String refused = outcome.get(10, TimeUnit.SECONDS);
        assertThat(refused).isEqualTo("pin_incorrect on boardroom: wrong PIN (2 attempts)");
        assertThat(routed).as("the third entry came after the refusal").hasSize(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the refusal waits for its prompt")
                .isGreaterThan(Duration.ofSeconds(1));
    }

    @Test
    void hashAloneMeansNoPinAndExtraDigitsAreDropped() throws Exception {
        collector(Duration.ofSeconds(10)).start();
        press("#");
        press("12345678901234567890#");
        outcome.get(10, TimeUnit.SECONDS);
        assertThat(routed).containsExactly(PinEntry.NONE, PinEntry.entered("1234567890123456"));
    }

    @Test
    void silenceAfterThePromptIsRefused() throws Exception {
        collector(Duration.ofMillis(300)).start();
        assertThat(outcome.get(15, TimeUnit.SECONDS))
                .isEqualTo("pin_incorrect on boardroom: no PIN ended with # within 300 ms of the prompt or the last digit");
        assertThat(routed).isEmpty();
    }

    private static java.net.SocketAddress localAddress(DatagramChannel channel) {
        try {
            return channel.getLocalAddress();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
