"""The aws CLI with its driver kept loaded, for integration tests.

Each `aws` process spends most of its ~0.6 CPU-s importing awscli and botocore;
a test makes hundreds of calls (every poll of wait_until is one). This server
imports them once, then forks a child per call that runs the CLI's own entry
point (awscli.clidriver: a fresh driver and session, the caller's arguments,
environment and working directory), so every call is a real aws CLI call in a
pristine process, without the start-up.

    python3 aws_driver.py serve PORT_FILE     # listens on 127.0.0.1, writes its port

A request (lib.sh's aws_cli, over bash's /dev/tcp): NUL-terminated fields
OUT_FILE, ERR_FILE, CWD, ARGC, ARGV..., ENVIRONMENT ENTRIES..., then an empty
field. The child writes the CLI's stdout and stderr to the two files and the
server answers the exit status as a line.
"""

import os
import signal
import socket
import sys


def read_request(connection):
    data = b""
    while not data.endswith(b"\0\0"):
        chunk = connection.recv(65536)
        if not chunk:
            raise EOFError("request cut short")
        data += chunk
    fields = [field.decode("utf-8", "surrogateescape") for field in data[:-2].split(b"\0")]
    out_file, err_file, cwd, argc = fields[0], fields[1], fields[2], int(fields[3])
    argv = fields[4 : 4 + argc]
    environment = dict(entry.split("=", 1) for entry in fields[4 + argc :] if "=" in entry)
    return out_file, err_file, cwd, argv, environment


def run_call(connection):
    """In the forked child: one aws CLI call, as `aws ARGV...` would run it."""
    out_file, err_file, cwd, argv, environment = read_request(connection)
    data_path = os.environ.get("AWS_DATA_PATH")  # set by importing awscli: where its cli.json is
    os.environ.clear()
    os.environ.update(environment)
    if data_path and "AWS_DATA_PATH" not in environment:
        os.environ["AWS_DATA_PATH"] = data_path
    os.chdir(cwd)
    with open(out_file, "w") as out, open(err_file, "w") as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
    sys.stdout = os.fdopen(1, "w", closefd=False)
    sys.stderr = os.fdopen(2, "w", closefd=False)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["aws"] + argv
    if os.environ.get("LC_CTYPE", "") == "UTF-8":  # as the aws script does
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    try:
        from awscli.clidriver import main

        status = main()
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    except BaseException as error:  # what the aws entry point would print
        print(error, file=sys.stderr)
        status = 255
    sys.stdout.flush()
    sys.stderr.flush()
    connection.sendall(f"{status or 0}\n".encode())


def serve(port_file):
    import awscli.clidriver  # noqa: F401  the imports every child shares
    import botocore.session

    botocore.session.Session().get_service_model("elasticache")  # warms the loader's file caches

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    temporary = port_file + ".partial"
    with open(temporary, "w") as out:
        out.write(str(listener.getsockname()[1]))
    os.rename(temporary, port_file)
    parent = os.getppid()
    listener.settimeout(1.0)
    while True:
        try:
            connection, _ = listener.accept()
        except socket.timeout:
            if os.getppid() != parent:  # the test is gone (killed without its clean-up)
                return
            continue
        connection.settimeout(None)
        if os.fork() == 0:
            listener.close()
            try:
                run_call(connection)
            finally:
                os._exit(0)
        connection.close()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "serve":
        sys.exit("usage: aws_driver.py serve PORT_FILE")
    serve(sys.argv[2])
