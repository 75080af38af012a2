"""A minimal WebKitGTK browser for WebKitWebDriver, run with the system's python3 (Debian's
python3-gi and gir1.2-webkit2-4.1).

Why not MiniBrowser: in automation mode MiniBrowser always uses an ephemeral (private) session,
and WebKit never writes a private page's console messages to stdout, so the engine's own CORS
explanations could not be read. This host is the same engine (libwebkit2gtk-4.1) with a
persistent website-data directory of its own (a fresh temporary one per run) and the
``enable-write-console-messages-to-stdout`` setting, so every console line of the page appears on
its stdout, which the suite reads. It does what WebKitWebDriver needs of a browser: it accepts
``--automation``, allows automation on its web context, and hands the driver its one view.

Usage: python3 webkit_host.py --automation --data-dir DIR
"""

from __future__ import annotations

import argparse
import sys
import time

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

NAME = "e2e-webkitgtk"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--automation", action="store_true")
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    for _ in range(300):  # the display may still be starting: try for up to 30 s
        if Gtk.init_check(sys.argv[:1])[0]:
            break
        time.sleep(0.1)
    else:
        print(
            "webkit_host: cannot open the display",
            {
                k: v
                for k, v in __import__("os").environ.items()
                if "DISPLAY" in k or "XAUTH" in k or "GDK" in k or "WAYLAND" in k
            },
            file=sys.stderr,
        )
        return 1

    manager = WebKit2.WebsiteDataManager(
        base_data_directory=args.data_dir, base_cache_directory=args.data_dir + "/cache"
    )
    context = WebKit2.WebContext.new_with_website_data_manager(manager)
    context.set_automation_allowed(args.automation)
    settings = WebKit2.Settings()
    settings.set_property("enable-write-console-messages-to-stdout", True)
    view = WebKit2.WebView(
        web_context=context, settings=settings, is_controlled_by_automation=args.automation
    )

    def automation_started(_context: object, session: WebKit2.AutomationSession) -> None:
        info = WebKit2.ApplicationInfo()
        info.set_name(NAME)
        info.set_version(
            WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version()
        )
        session.set_application_info(info)
        session.connect("create-web-view", lambda _session: view)

    context.connect("automation-started", automation_started)
    window = Gtk.Window()
    window.set_default_size(1200, 900)
    window.add(view)
    window.connect("destroy", lambda _window: Gtk.main_quit())
    view.connect("close", lambda _view: window.destroy())
    window.show_all()
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.exit(main())
