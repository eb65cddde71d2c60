#!/usr/bin/env python3
"""Writes seed inputs for the fuzz targets from the published vectors.

Usage: seed_corpus.py VECTORS_DIR CORPUS_ROOT
"""
import json
import os
import sys


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data)


def main():
    vectors, corpus = sys.argv[1], sys.argv[2]

    points = os.path.join(corpus, "point_decode_fuzz")
    for file, field in (("deserialization_G1.json", "pubkey"),
                        ("deserialization_G2.json", "signature")):
        with open(os.path.join(vectors, "bls", file)) as f:
            for i, case in enumerate(json.load(f)["cases"]):
                text = case["input"][field].removeprefix("0x")
                try:
                    write(points, f"{file}-{i}", bytes.fromhex(text))
                except ValueError:
                    pass

    keystores = os.path.join(corpus, "keystore_fuzz")
    for name in ("keystore_scrypt.json", "keystore_pbkdf2.json"):
        with open(os.path.join(vectors, "eip2335", name), "rb") as f:
            write(keystores, name, f.read())


if __name__ == "__main__":
    main()
