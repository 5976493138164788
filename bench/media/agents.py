# The room side of bench/media.sh: joins every LiveKit room created after it starts whose name begins with PREFIX
# (up to COUNT), publishes a 1 kHz tone into each as participant "agent" (one shared audio source), and SECONDS after
# starting reports, as one JSON line, what its subscriptions to the SIP participants' tracks received: packets,
# packets lost and jitter, from WebRTC's own receiver statistics.
#   agents.py URL PREFIX COUNT SECONDS
# LIVEKIT_API_KEY and LIVEKIT_API_SECRET name another key than livekit-server --dev's.
import asyncio, json, math, os, sys, time
import numpy as np
from livekit import api, rtc

URL, PREFIX, COUNT, SECONDS = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
KEY, SECRET = os.environ.get("LIVEKIT_API_KEY", "devkey"), os.environ.get("LIVEKIT_API_SECRET", "secret")
RATE, FRAME = 48000, 480


async def tone(source, until):
    n, next_at = 0, time.monotonic()
    while time.monotonic() < until:
        frame = rtc.AudioFrame.create(RATE, 1, FRAME)
        t = (np.arange(FRAME) + n) / RATE
        np.copyto(np.frombuffer(frame.data, dtype=np.int16), (8000 * np.sin(2 * math.pi * 1000 * t)).astype(np.int16))
        n += FRAME
        await source.capture_frame(frame)
        next_at += FRAME / RATE
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def join(name, source, rooms, tracks, failures):
    token = (api.AccessToken(KEY, SECRET).with_identity("agent")
             .with_grants(api.VideoGrants(room_join=True, room=name)).to_jwt())
    room = rtc.Room()

    @room.on("track_subscribed")
    def on_track(track, publication, participant):
        if participant.identity.startswith("sip_") and track.kind == rtc.TrackKind.KIND_AUDIO:
            tracks[name] = track

    try:
        await room.connect(URL, token)
        track = rtc.LocalAudioTrack.create_audio_track("tone", source)
        await room.local_participant.publish_track(track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
        rooms[name] = room
    except Exception as e:
        failures.append(f"{name}: {e}")


async def main():
    started = time.time()
    deadline = time.monotonic() + SECONDS
    lk = api.LiveKitAPI(URL.replace("ws://", "http://"), KEY, SECRET)
    source = rtc.AudioSource(RATE, 1)
    playing = asyncio.create_task(tone(source, deadline + 5))
    rooms, tracks, failures, seen, joining = {}, {}, [], set(), []
    while time.monotonic() < deadline:
        if len(seen) < COUNT:
            listed = await lk.room.list_rooms(api.ListRoomsRequest())
            for room in listed.rooms:
                if room.name.startswith(PREFIX) and room.creation_time >= int(started) and room.name not in seen \
                        and len(seen) < COUNT:
                    seen.add(room.name)
                    joining.append(asyncio.create_task(join(room.name, source, rooms, tracks, failures)))
        await asyncio.sleep(0.5)
    received = lost = 0
    jitters = []
    for track in list(tracks.values()):
        for stat in await track.get_stats():
            if stat.HasField("inbound_rtp"):
                inbound = stat.inbound_rtp
                received += inbound.received.packets_received
                lost += max(0, inbound.received.packets_lost)
                jitters.append(inbound.received.jitter * 1000)
    jitters.sort()
    print(json.dumps({"rooms": len(rooms), "tracks": len(tracks), "failures": failures[:5], "packetsReceived": received,
                      "packetsLost": lost, "lossPercent": 100.0 * lost / (received + lost) if received + lost else 0.0,
                      "jitterMsMean": sum(jitters) / len(jitters) if jitters else 0.0,
                      "jitterMsP99": jitters[min(len(jitters) - 1, int(len(jitters) * 0.99))] if jitters else 0.0}),
          flush=True)
    playing.cancel()
    await asyncio.gather(*(room.disconnect() for room in rooms.values()), return_exceptions=True)
    await lk.aclose()

asyncio.run(main())
