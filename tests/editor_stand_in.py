"""A stand-in editor for tests/test_plugin_server.py: starts `layerlint server` on a root over
pipes, initialises it with the root as its workspace folder, prints the server's pid and waits to
be killed (as an editor that crashes leaves its language server).

    python tests/editor_stand_in.py ROOT
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def main(root: Path) -> None:
    server = subprocess.Popen([sys.executable, "-m", "layerlint", "server"], cwd=root,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert server.stdin is not None

    def send(message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # type: ignore[union-attr]
        server.stdin.flush()  # type: ignore[union-attr]

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {},
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}]}})
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    print(server.pid, flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
