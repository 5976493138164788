# Writes a pcap of RTP packets carrying a PCMU (payload type 0) sine tone, 20 ms each, for sipp's play_pcap_audio:
#   tone-pcap.py FILE HERTZ SECONDS
# The phone's voice in scripts/demo.sh.
import math, struct, sys

FILE, HZ, SECONDS = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
RATE, FRAME, AMPLITUDE = 8000, 160, 8000

def ulaw(sample):
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = max(e for e in range(8) if magnitude >= (0x84 << e) or e == 0)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF

with open(FILE, "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for p in range(int(SECONDS * 1000 / 20)):
        payload = bytes(ulaw(round(AMPLITUDE * math.sin(2 * math.pi * HZ * (p * FRAME + i) / RATE))) for i in range(FRAME))
        rtp = struct.pack(">BBHII", 0x80, (0x80 if p == 0 else 0), p & 0xFFFF, p * FRAME, 0x440) + payload
        udp = struct.pack(">HHHH", 40000, 40002, 8 + len(rtp), 0) + rtp
        ip = struct.pack(">BBHIBBHII", 0x45, 0, 20 + len(udp), 0, 64, 17, 0, 0x7F000001, 0x7F000001) + udp
        frame = bytes(12) + b"\x08\x00" + ip
        micros = p * 20000
        out.write(struct.pack("<IIII", micros // 1000000, micros % 1000000, len(frame), len(frame)) + frame)
