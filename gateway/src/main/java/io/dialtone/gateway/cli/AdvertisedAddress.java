package io.dialtone.gateway.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address a pod advertises when it is its node's ExternalIP: the operator looks the node up and writes the
 * address into an annotation of the pod, which the downward API mounts as a file. The file may appear after the
 * pod starts (the kubelet refreshes such volumes about once a minute), so it is waited for.
 */
final class AdvertisedAddress {
    private static final Logger LOG = LoggerFactory.getLogger(AdvertisedAddress.class);
    private static final long POLL_MILLIS = 500;
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    private AdvertisedAddress() {
    }

    static String await(Path file, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextLog = System.nanoTime();
        while (true) {
            String address = read(file);
            if (!address.isEmpty()) {
                LOG.info("advertising {}, from {}", address, file);
                return address;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                throw new IllegalStateException("no address in " + file + " after " + timeout.toSeconds() + " s: the "
                        + "operator writes the node's ExternalIP there; see the SipGateway's Degraded condition");
            }
            if (now >= nextLog) {
                LOG.info("waiting for the node's external address in {} (up to {} s more)", file,
                        Duration.ofNanos(deadline - now).toSeconds());
                nextLog = now + LOG_EVERY_NANOS;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException notYet) {
            return "";
        }
    }
}
