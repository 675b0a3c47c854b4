#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal CRI (Kubernetes Container Runtime Interface) client for tests.

    cri_client.py --address SOCKET [--descriptor FILE] [--containerd BIN] [--timeout S]
                  METHOD [REQUEST]

Calls one method of the runtime.v1 RuntimeService or ImageService (RunPodSandbox,
CreateContainer, ExecSync, ...) over the gRPC unix socket SOCKET. REQUEST is the request
message as JSON (field names as in the .proto, snake_case or lowerCamelCase; default {}),
or @FILE, or - for stdin. The response is printed as JSON with the .proto's field names;
bytes fields (ExecSync's stdout/stderr) are printed as text, not base64.

Exit status: 0 on success; 1 when the call fails, with "rpc error: code = CODE desc = ..."
on stderr (the runtime's error as containerd returns it); 2 on a usage error.

Where the API definition comes from: Debian ships no CRI .proto or crictl, but containerd
links the CRI API in, and the generated Go code registers each .proto file's descriptor
with the protobuf runtime as a gzipped FileDescriptorProto. We find that blob in the
containerd binary (the one the test runs, so the API matches it exactly) and build the
message types from it at run time with python3-protobuf; calls go through python3-grpcio's
generic unary-unary stubs. --descriptor FILE keeps the extracted descriptor for later calls.
"""
import argparse
import json
import shutil
import sys
import zlib

try:
    import grpc
    from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
except ImportError as exc:  # pragma: no cover - reported to the test as a skip reason
    sys.stderr.write("cri_client: needs python3-grpcio and python3-protobuf: %s\n" % exc)
    sys.exit(3)

PACKAGE = "runtime.v1"
SERVICES = ("RuntimeService", "ImageService")
GZIP_MAGIC = b"\x1f\x8b\x08"


def extract_descriptor(binary):
    """The serialized FileDescriptorProto of the CRI api.proto (package runtime.v1)."""
    data = open(binary, "rb").read()
    pos = 0
    while True:
        pos = data.find(GZIP_MAGIC, pos)
        if pos < 0:
            break
        dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = dec.decompress(data[pos : pos + (4 << 20)])
        except zlib.error:
            raw = None
        pos += len(GZIP_MAGIC)
        if raw is None or not dec.eof:
            continue
        fd = descriptor_pb2.FileDescriptorProto()
        try:
            fd.ParseFromString(raw)
        except Exception:  # not a descriptor: any other gzip stream in the binary
            continue
        if fd.package == PACKAGE and any(s.name == "RuntimeService" for s in fd.service):
            return raw
    raise SystemExit("cri_client: no %s CRI API descriptor found in %s" % (PACKAGE, binary))


def load_pool(raw):
    fd = descriptor_pb2.FileDescriptorProto()
    fd.ParseFromString(raw)
    # the imports (gogo.proto, descriptor.proto) only carry Go code-generation options,
    # which stay behind as unknown fields: no type of ours refers to them
    del fd.dependency[:]
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    return pool


def message_class(desc):
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(desc.file.pool).GetPrototype(desc)


def find_method(pool, name):
    for svc in SERVICES:
        sd = pool.FindServiceByName("%s.%s" % (PACKAGE, svc))
        if name in sd.methods_by_name:
            return sd, sd.methods_by_name[name]
    names = sorted(m for svc in SERVICES
                   for m in pool.FindServiceByName("%s.%s" % (PACKAGE, svc)).methods_by_name)
    raise SystemExit("cri_client: unknown method %s (known: %s)" % (name, ", ".join(names)))


def bytes_as_text(msg, out):
    """Replaces the base64 of bytes fields in out (MessageToDict of msg) by text."""
    for field, value in msg.ListFields():
        key = field.name
        if key not in out:
            continue
        if field.type == field.TYPE_BYTES:
            if field.label == field.LABEL_REPEATED:
                out[key] = [v.decode("utf-8", "replace") for v in value]
            else:
                out[key] = value.decode("utf-8", "replace")
        elif field.type == field.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                continue
            if field.label == field.LABEL_REPEATED:
                for m, o in zip(value, out[key]):
                    bytes_as_text(m, o)
            else:
                bytes_as_text(value, out[key])


def read_request(arg):
    if arg is None:
        return "{}"
    if arg == "-":
        return sys.stdin.read()
    if arg.startswith("@"):
        return open(arg[1:]).read()
    return arg


def main():
    ap = argparse.ArgumentParser(description="call one CRI method")
    ap.add_argument("--address", required=True, help="containerd's gRPC unix socket")
    ap.add_argument("--descriptor", help="cache of the extracted API descriptor")
    ap.add_argument("--containerd", default=shutil.which("containerd") or "/usr/bin/containerd",
                    help="the binary to take the CRI API from")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("method")
    ap.add_argument("request", nargs="?")
    args = ap.parse_args()

    raw = None
    if args.descriptor:
        try:
            raw = open(args.descriptor, "rb").read()
        except FileNotFoundError:
            pass
    if raw is None:
        raw = extract_descriptor(args.containerd)
        if args.descriptor:
            with open(args.descriptor, "wb") as f:
                f.write(raw)
    pool = load_pool(raw)
    svc, method = find_method(pool, args.method)
    req_cls = message_class(method.input_type)
    resp_cls = message_class(method.output_type)

    req = req_cls()
    try:
        json_format.Parse(read_request(args.request), req)
    except json_format.ParseError as exc:
        ap.error("bad %s: %s" % (method.input_type.name, exc))

    address = args.address
    if not address.startswith("unix:"):
        address = "unix://" + address
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary(
            "/%s/%s" % (svc.full_name, method.name),
            request_serializer=req_cls.SerializeToString,
            response_deserializer=resp_cls.FromString,
        )
        try:
            resp = call(req, timeout=args.timeout)
        except grpc.RpcError as exc:
            sys.stderr.write("rpc error: code = %s desc = %s\n" % (exc.code().name, exc.details()))
            return 1
    out = json_format.MessageToDict(resp, preserving_proto_field_name=True,
                                including_default_value_fields=True)
    bytes_as_text(resp, out)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
