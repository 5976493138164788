# Encodes a 16 kHz sine tone with the g722 package (an implementation independent of the gateway's) and writes the
# G.722 bytes, 160 per 20 ms: the wideband caller's voice in RoomAudioIT.
#   g722_tone.py OUT HERTZ SECONDS AMPLITUDE
import math, sys
import numpy as np
import G722

OUT, HZ, SECONDS, AMPLITUDE = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
n = np.arange(int(16000 * SECONDS))
tone = np.round(AMPLITUDE * np.sin(2 * math.pi * HZ * n / 16000)).astype(np.int16)
with open(OUT, "wb") as out:
    out.write(bytes(G722.G722(16000, 64000).encode(tone)))
