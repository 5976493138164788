# Mouth-to-ear latency probes: a tone burst starts every second, and each side notes when it sent a burst and when
# it heard one start, on the machine's wall clock (shared by every process, in the network namespace or not).
#   latency.py phone ADDRESS PORT SECONDS  a phone on ADDRESS:PORT (the port the call's offer named): sends PCMU to
#                                         wherever the gateway's RTP comes from, bursts included, and listens
#   latency.py agent URL ROOM SECONDS      publishes bursts into ROOM as participant "agent"
#   latency.py ear URL ROOM SECONDS        joins ROOM as "ear" and listens to every audio track in it
# Each prints one JSON line: "sent" (when a burst's first sample was captured) and/or "heard" (when a burst's first
# sample would play if playing started as its packet or frame arrived), per participant for the ear. Timing model:
# a sender hands over a frame once it is complete, so a burst starting a frame of L ms was captured L ms before it
# went out; a receiver plays a frame from its arrival, so an onset k samples into it plays k samples later.
import asyncio, json, math, socket, struct, sys, time
import lk_run

PERIOD, BURST, HZ, AMPLITUDE, THRESHOLD = 1.0, 0.2, 1000.0, 8000.0, 2000

def burst_sample(n, rate):
    """Sample n of the repeating pattern at rate: BURST seconds of tone at the start of every PERIOD."""
    at = n % int(PERIOD * rate)
    return int(AMPLITUDE * math.sin(2 * math.pi * HZ * at / rate)) if at < BURST * rate else 0

class Onsets:
    """Onsets in a stream of blocks: a loud sample after at least half a period of quiet."""
    def __init__(self, rate):
        self.rate, self.quiet, self.times = rate, 0, []

    def block(self, samples, arrived):
        for k, x in enumerate(samples):
            if abs(x) > THRESHOLD:
                if self.quiet >= self.rate * PERIOD / 2:
                    self.times.append(arrived + k / self.rate)
                self.quiet = 0
            else:
                self.quiet += 1

def ulaw_decode(code):
    code = ~code & 0xFF
    exponent = (code >> 4) & 7
    magnitude = (((code & 0x0F) << 3) + 0x84) << exponent
    return 0x84 - magnitude if code & 0x80 else magnitude - 0x84

def ulaw_encode(sample):
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = max(0, magnitude.bit_length() - 8)
    return ~(sign | (exponent << 4) | ((magnitude >> (exponent + 3)) & 0x0F)) & 0xFF

def phone(address, port, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    sock.settimeout(0.002)
    onsets, sent, gateway = Onsets(8000), [], None
    deadline = time.monotonic() + seconds
    n, seq, next_at = 0, 0, None
    while time.monotonic() < deadline:
        try:
            data, source = sock.recvfrom(2048)
            arrived = time.time()
            gateway = gateway or source
            if data[1] & 0x7F == 0:
                onsets.block([ulaw_decode(b) for b in data[12:]], arrived)
        except socket.timeout:
            pass
        if gateway is None:
            continue
        if next_at is None:
            next_at = time.monotonic()
        if time.monotonic() >= next_at:
            if n % 8000 == 0:
                sent.append(time.time() - 0.02)
            payload = bytes(ulaw_encode(burst_sample(n + i, 8000)) for i in range(160))
            sock.sendto(struct.pack(">BBHII", 0x80, 0, seq & 0xFFFF, n & 0xFFFFFFFF, 0x5EED) + payload, gateway)
            n, seq, next_at = n + 160, seq + 1, next_at + 0.02
    print(json.dumps({"sent": sent, "heard": onsets.times}))

def token(identity, room):
    from livekit import api
    return (api.AccessToken("devkey", "secret").with_identity(identity)
            .with_grants(api.VideoGrants(room_join=True, room=room)).to_jwt())

async def agent(url, room_name, seconds):
    from livekit import rtc
    import numpy as np
    room = rtc.Room()
    await room.connect(url, token("agent", room_name))
    source = rtc.AudioSource(48000, 1, queue_size_ms=20)
    track = rtc.LocalAudioTrack.create_audio_track("bursts", source)
    await room.local_participant.publish_track(track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
    sent, n, next_at = [], 0, time.monotonic()
    deadline = next_at + seconds
    pattern = np.array([burst_sample(i, 48000) for i in range(48000)], dtype=np.int16)
    while time.monotonic() < deadline:
        frame = rtc.AudioFrame.create(48000, 1, 480)
        np.copyto(np.frombuffer(frame.data, dtype=np.int16), pattern[n % 48000:n % 48000 + 480])
        if n % 48000 == 0:
            sent.append(time.time() - 0.01)
        await source.capture_frame(frame)
        n += 480
        next_at += 0.01
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    print(json.dumps({"sent": sent}))
    await room.disconnect()

async def ear(url, room_name, seconds):
    from livekit import rtc
    room = rtc.Room()
    heard, listening = {}, []

    async def listen(track, identity):
        onsets = Onsets(48000)
        heard[identity] = onsets.times
        async for event in rtc.AudioStream(track, sample_rate=48000, num_channels=1):
            onsets.block(event.frame.data, time.time())

    @room.on("track_subscribed")
    def on_track(track, publication, participant):
        if track.kind == rtc.TrackKind.KIND_AUDIO:
            listening.append(asyncio.create_task(listen(track, participant.identity)))

    await room.connect(url, token("ear", room_name))
    await asyncio.sleep(seconds)
    for task in listening:
        task.cancel()
    print(json.dumps({"heard": heard}))
    await room.disconnect()

role = sys.argv[1]
if role == "phone":
    phone(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
elif role == "agent":
    lk_run.run(agent(sys.argv[2], sys.argv[3], float(sys.argv[4])))
else:
    lk_run.run(ear(sys.argv[2], sys.argv[3], float(sys.argv[4])))
