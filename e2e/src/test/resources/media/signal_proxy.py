# A TCP proxy in front of LiveKit's signalling port for RoomAudioIT: forwards every connection to TARGET, and on
# SIGUSR1 cuts all the connections it carries (as a network fault would), while it keeps accepting new ones.
#   signal_proxy.py LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT
import asyncio, signal, sys

LISTEN_HOST, LISTEN_PORT, TARGET_HOST, TARGET_PORT = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
open_writers = set()


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def serve(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection(TARGET_HOST, TARGET_PORT)
    except OSError:
        client_writer.close()
        return
    open_writers.update((client_writer, server_writer))
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
    open_writers.difference_update((client_writer, server_writer))


def cut():
    print(f"cutting {len(open_writers) // 2} connections", flush=True)
    for writer in list(open_writers):
        writer.transport.abort()
    open_writers.clear()


async def main():
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, cut)
    server = await asyncio.start_server(serve, LISTEN_HOST, LISTEN_PORT)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
