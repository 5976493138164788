#!/usr/bin/env python3
"""A flood of new INVITEs from many loopback addresses no trunk admits, paced to a rate for a set time.

Each INVITE is new (its own Call-ID and branch), as a scanner's or a toll-fraud dialler's are. Every source has its
own UDP socket on its own address (127.1.0.1, 127.1.0.2, ...: all of 127/8 is loopback), and any datagram one of
them receives counts as an answer to an unknown source, which the gateway must never send.
Prints one JSON object: sent, answered, seconds, rate achieved.
"""
import argparse
import json
import select
import socket
import time


def invite(target, source, port, n):
    body = (f"v=0\r\no=- {n} 1 IN IP4 {source}\r\ns=-\r\nc=IN IP4 {source}\r\nt=0 0\r\n"
            f"m=audio {port + 2} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n")
    return (f"INVITE sip:+15550199@{target} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {source}:{port};branch=z9hG4bK-flood-{n}\r\n"
            f"From: <sip:+1555{n % 10000000:07d}@{source}>;tag=f{n}\r\n"
            f"To: <sip:+15550199@{target}>\r\n"
            f"Call-ID: flood-{n}@{source}\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
            f"Contact: <sip:flood@{source}:{port}>\r\nContent-Type: application/sdp\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}").encode()


def drain(poller, by_fd, timeout):
    """Datagrams waiting on any source's socket: each is an answer the gateway must never have sent."""
    answers = 0
    for fd, _ in poller.poll(timeout):
        try:
            while by_fd[fd].recv(65536):
                answers += 1
        except BlockingIOError:
            pass
    return answers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", default="127.0.0.1:5060")
    parser.add_argument("--rate", type=int, default=5000, help="INVITEs per second")
    parser.add_argument("--sources", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    host, port = args.target.rsplit(":", 1)
    target = (host, int(port))
    sockets = []
    poller = select.epoll()
    for i in range(args.sources):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((f"127.1.{i // 250}.{i % 250 + 1}", 0))
        s.setblocking(False)
        sockets.append(s)
        poller.register(s.fileno(), select.EPOLLIN)
    by_fd = {s.fileno(): s for s in sockets}
    sent = answered = 0
    tick = 0.01
    per_tick = args.rate * tick
    started = time.monotonic()
    owed = 0.0
    next_tick = started
    while True:
        now = time.monotonic()
        if now - started >= args.seconds:
            break
        owed += per_tick
        while owed >= 1:
            s = sockets[sent % len(sockets)]
            src, sport = s.getsockname()
            try:
                s.sendto(invite(host, src, sport, sent), target)
            except BlockingIOError:
                pass
            sent += 1
            owed -= 1
        answered += drain(poller, by_fd, 0)
        next_tick += tick
        delay = next_tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    elapsed = time.monotonic() - started
    # Answers still on their way.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        answered += drain(poller, by_fd, 0.1)
    print(json.dumps({"sent": sent, "answered": answered, "seconds": round(elapsed, 1),
                      "rate": round(sent / elapsed), "sources": args.sources}))


if __name__ == "__main__":
    main()
