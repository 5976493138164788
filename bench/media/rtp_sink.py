# The phones' ear in bench/media.sh: every bridged call's RTP goes to this one UDP port (the media address of the
# callers' offers). For SECONDS it counts, per SSRC, packets received and lost (from the sequence numbers) and the
# RFC 3550 interarrival jitter on the 8 kHz RTP clock, then prints one JSON line over all streams.
#   rtp_sink.py ADDRESS PORT SECONDS
import json, socket, struct, sys, time

ADDRESS, PORT, SECONDS = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
sock.bind((ADDRESS, PORT))
sock.settimeout(0.2)
streams = {}
deadline = time.time() + SECONDS
while time.time() < deadline:
    try:
        data = sock.recv(2048)
    except socket.timeout:
        continue
    now = time.monotonic()
    if len(data) < 12 or data[1] & 0x7F != 0:
        continue
    seq, timestamp, ssrc = struct.unpack(">HII", data[2:12])
    s = streams.get(ssrc)
    if s is None:
        streams[ssrc] = {"first": seq, "highest": seq, "cycles": 0, "received": 1, "transit": None, "jitter": 0.0}
        continue
    s["received"] += 1
    if seq < s["highest"] and s["highest"] - seq > 30000:
        s["cycles"] += 65536
    extended = s["cycles"] + seq
    s["highest_ext"] = max(s.get("highest_ext", s["first"]), extended)
    s["highest"] = seq
    transit = now * 8000 - timestamp
    if s["transit"] is not None:
        s["jitter"] += (abs(transit - s["transit"]) - s["jitter"]) / 16
    s["transit"] = transit
received = lost = 0
jitters = []
for s in streams.values():
    expected = s.get("highest_ext", s["first"]) - s["first"] + 1
    received += s["received"]
    lost += max(0, expected - s["received"])
    jitters.append(s["jitter"] / 8)
jitters.sort()
print(json.dumps({"streams": len(streams), "packetsReceived": received, "packetsLost": lost,
                  "lossPercent": 100.0 * lost / (received + lost) if received + lost else 0.0,
                  "packetsPerStreamPerSecond": received / len(streams) / SECONDS if streams else 0.0,
                  "jitterMsMean": sum(jitters) / len(jitters) if jitters else 0.0,
                  "jitterMsP99": jitters[min(len(jitters) - 1, int(len(jitters) * 0.99))] if jitters else 0.0}),
      flush=True)
