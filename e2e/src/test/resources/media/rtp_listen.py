# The phone's ear in RoomAudioIT: receives RTP (PCMU, or G.722 decoded by the g722 package) on a UDP port for a while and prints, as JSON, how many
# packets came and at what rate, their payload types, sequence gaps, and for the stretch that was not silence: how long it was,
# its level, the share of its power within 2 % of a frequency (the gateway may stretch or squeeze the room's audio by
# 1.5 % to follow libwebrtc's playout clock), and how many dropouts (5 ms or more of silence) it had; and the RFC 4733
# digits (payload type 101) it carried, each once.
#   rtp_listen.py ADDRESS PORT SECONDS HERTZ
import json, math, socket, struct, sys, time

ADDRESS, PORT, SECONDS, HZ = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])

def ulaw(code):
    code = ~code & 0xFF
    exponent = (code >> 4) & 7
    magnitude = (((code & 0x0F) << 3) + 0x84) << exponent
    return 0x84 - magnitude if code & 0x80 else magnitude - 0x84

def share(samples, rate, hz):
    import numpy
    x = numpy.asarray(samples, dtype=float)
    power = numpy.abs(numpy.fft.rfft(x * numpy.hanning(len(x)))) ** 2
    freqs = numpy.fft.rfftfreq(len(x), 1.0 / rate)
    total = power[1:].sum()
    return float(power[(freqs >= hz * 0.98) & (freqs <= hz * 1.02)].sum() / total) if total else 0.0

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((ADDRESS, PORT))
sock.settimeout(0.5)
deadline = time.time() + SECONDS
packets, types, gaps, last, samples, digits, ended = 0, set(), 0, None, [], [], set()
first_at = last_at = None
g722, rate = None, 8000
while time.time() < deadline:
    try:
        data, _ = sock.recvfrom(2048)
    except socket.timeout:
        continue
    packets += 1
    last_at = time.time()
    first_at = first_at or last_at
    pt = data[1] & 0x7F
    seq = struct.unpack(">H", data[2:4])[0]
    types.add(pt)
    if last is not None and seq != (last + 1) & 0xFFFF:
        gaps += 1
    last = seq
    if pt == 0:
        samples.extend(ulaw(b) for b in data[12:])
    elif pt == 9:
        if g722 is None:
            import G722
            g722 = G722.G722(16000, 64000)
        rate = 16000
        samples.extend(g722.decode(data[12:]))
    elif pt == 101 and len(data) >= 16 and data[13] & 0x80:
        timestamp = struct.unpack(">I", data[4:8])[0]
        if timestamp not in ended:
            ended.add(timestamp)
            digits.append("0123456789*#ABCD"[data[12]] if data[12] < 16 else "?")
loud = [i for i, x in enumerate(samples) if abs(x) > 100]
margin = rate // 10
tone = samples[loud[0] + margin:loud[-1] - margin] if len(loud) > 2 * margin else []
rms = math.sqrt(sum(s * s for s in tone) / len(tone)) if tone else 0.0
dropouts, run = 0, 0
for x in tone:
    run = run + 1 if abs(x) < 50 else 0
    dropouts += run == rate // 200
per_second = (packets - 1) / (last_at - first_at) if packets > 1 and last_at > first_at else 0.0
print(json.dumps({"packets": packets, "perSecond": per_second, "payloadTypes": sorted(types), "gaps": gaps,
                  "seconds": len(tone) / rate, "rms": rms, "share": share(tone, rate, HZ) if tone else 0.0, "dropouts": dropouts,
                  "digits": "".join(digits)}))
