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

    transactions = os.path.join(corpus, "rlp_transaction_fuzz")
    with open(os.path.join(vectors, "eth1", "rlp.json")) as f:
        rlp = json.load(f)
    for i, case in enumerate(rlp["valid"] + rlp["invalid"]):
        try:
            write(transactions, f"rlp-{i}",
                  bytes.fromhex(case["out"].removeprefix("0x")))
        except ValueError:
            pass
    with open(os.path.join(vectors, "eth1", "eip155.json")) as f:
        eip155 = json.load(f)
    for i, case in enumerate(eip155["recovery_vectors"]["cases"]):
        write(transactions, f"tx-{i}",
              bytes.fromhex(case["rlp"].removeprefix("0x")))

    keystores = os.path.join(corpus, "keystore_fuzz")
    for name in ("keystore_scrypt.json", "keystore_pbkdf2.json"):
        with open(os.path.join(vectors, "eip2335", name), "rb") as f:
            write(keystores, name, f.read())


if __name__ == "__main__":
    main()
