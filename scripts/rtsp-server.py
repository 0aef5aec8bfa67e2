#!/usr/bin/python3
"""RTSP test server for Huxiao Edge: serves one H.264 MP4 over RTSP (TCP-interleaved and UDP), like an IP camera.

Run with Debian's /usr/bin/python3 (it has the GStreamer introspection bindings).
Each client session gets its own pipeline and plays the clip from the start, once (a camera that ends its
stream is what the reconnect logic must handle anyway).
Prints "ready rtsp://HOST:PORT/PATH" on stdout when clients may connect; logs go to stderr.
"""
import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", required=True, help="H.264 MP4 file to serve")
    parser.add_argument("--port", type=int, default=8554, help="TCP port to listen on (default 8554)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--path", default="/stream", help="mount path (default /stream)")
    parser.add_argument("--user", help="require RTSP basic auth with this user name")
    parser.add_argument("--password", help="password for --user (default: env HUXIAO_RTSP_PASSWORD)")
    return parser.parse_args()


def launch_line(path):
    location = path.replace("\\", "\\\\").replace('"', '\\"')
    return f'( filesrc location="{location}" ! qtdemux name=demux demux.video_0 ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=1 )'


def main():
    args = parse_args()
    if not os.path.isfile(args.file):
        print(f"rtsp-server: no such file: {args.file}", file=sys.stderr)
        return 2
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.host)
    server.set_service(str(args.port))

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch_line(args.file))
    factory.set_shared(False)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)

    if args.user:
        password = args.password if args.password is not None else os.environ.get("HUXIAO_RTSP_PASSWORD", "")
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, password), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        permissions.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(permissions)

    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"rtsp-server: cannot listen on {args.host}:{args.port}", file=sys.stderr)
        return 1

    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, lambda: (loop.quit(), False)[1])
    # Session cleanup: without it, timed-out sessions of killed clients pile up.
    GLib.timeout_add_seconds(2, lambda: (server.get_session_pool().cleanup(), True)[1])
    print(f"ready rtsp://{args.host}:{args.port}{args.path}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
