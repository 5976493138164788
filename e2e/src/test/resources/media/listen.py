# Joins a LiveKit room as "listener", waits for the first audio track and for it to turn loud, records SECONDS - 1
# seconds from a second after that (so the silence, the onset and the encoder settling do not count) and prints, as
# JSON, who sent it, its level and how much of its power lies within 2 % of 440 Hz, of 1 kHz and of HERTZ (the
# receiving client's jitter buffer stretches and squeezes audio to follow its network, which moves a tone's power to
# its neighbouring frequencies; 2 % is what rtp_listen.py allows too); with FROM, only a track of that participant
# counts. Used by RoomAudioIT and scripts/demo.sh.
#   listen.py URL ROOM SECONDS [HERTZ [FROM]]
import asyncio, json, math, sys
import lk_run
from livekit import api, rtc

URL, ROOM, SECONDS = sys.argv[1], sys.argv[2], float(sys.argv[3])
HZ = float(sys.argv[4]) if len(sys.argv) > 4 else 440.0
FROM = sys.argv[5] if len(sys.argv) > 5 else None

def share(samples, rate, hz):
    import numpy
    x = numpy.asarray(samples, dtype=float)
    power = numpy.abs(numpy.fft.rfft(x * numpy.hanning(len(x)))) ** 2
    freqs = numpy.fft.rfftfreq(len(x), 1.0 / rate)
    total = power[1:].sum()
    return float(power[(freqs >= hz * 0.98) & (freqs <= hz * 1.02)].sum() / total) if total else 0.0

async def main():
    token = (api.AccessToken("devkey", "secret").with_identity("listener")
             .with_grants(api.VideoGrants(room_join=True, room=ROOM)).to_jwt())
    room = rtc.Room()
    got = asyncio.get_event_loop().create_future()

    @room.on("track_subscribed")
    def on_track(track, publication, participant):
        if track.kind == rtc.TrackKind.KIND_AUDIO and not got.done() and FROM in (None, participant.identity):
            got.set_result((track, participant.identity))

    await room.connect(URL, token)
    track, who = await asyncio.wait_for(got, 30)
    stream = rtc.AudioStream(track, sample_rate=48000, num_channels=1)
    samples = []
    start = None
    wanted = int((SECONDS - 1) * 48000)
    async def collect():
        nonlocal start
        async for event in stream:
            block = event.frame.data.tolist()
            if start is None:
                loud = next((i for i, x in enumerate(block) if abs(x) > 1000), None)
                start = None if loud is None else len(samples) + loud + 48000
            samples.extend(block)
            if start is not None and len(samples) >= start + wanted:
                break
    try:
        await asyncio.wait_for(collect(), SECONDS + 20)
    except asyncio.TimeoutError:
        pass
    heard = samples[start:start + wanted] if start is not None else []
    rms = math.sqrt(sum(s * s for s in heard) / len(heard)) if heard else 0.0
    print(json.dumps({"from": who, "samples": len(heard), "rms": rms,
                      "share440": share(heard, 48000, 440) if heard else 0.0,
                      "share1000": share(heard, 48000, 1000) if heard else 0.0,
                      "share": share(heard, 48000, HZ) if heard else 0.0}))
    await room.disconnect()

lk_run.run(main())
