#!/usr/bin/env python3
"""Writes N realistic logins, the same ones in the forms each tool imports.

    gen.py N OUTDIR     -> OUTDIR/items.json (kura), OUTDIR/items.xml (KeePass 2 XML),
                           OUTDIR/items.tsv (name, password, body: for pass)

Every item: a title, a username, a password, one or two URLs, a note, one to three tags;
a fixed seed, so every run and every tool gets the same data. Titles are unique
("<site> <n>"), so a lookup by title finds one item.
"""
import json
import random
import sys
from xml.sax.saxutils import escape

SITES = ["github", "gitlab", "google", "amazon", "netflix", "bank", "mail", "shop", "forum",
         "cloud", "news", "travel", "airline", "hotel", "insurance", "phone", "power", "water",
         "school", "library", "gym", "doctor", "pharmacy", "car", "parking", "taxes", "wiki",
         "chat", "music", "video", "photos", "dns", "vpn", "router", "printer", "nas"]
TAGS = ["work", "home", "finance", "social", "shopping", "travel", "dev", "family", "old",
        "2fa"]
WORDS = ["account", "recovery", "codes", "kept", "in", "the", "drawer", "shared", "with",
         "family", "renew", "every", "year", "security", "question", "answer", "pin", "backup"]
ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.!@#%"


def items(n):
    rnd = random.Random(20261122)
    for i in range(1, n + 1):
        site = rnd.choice(SITES)
        host = f"{site}{i}.example.com"
        urls = [f"https://{host}/login"]
        if rnd.random() < 0.4:
            urls.append(f"https://m.{host}/")
        yield {
            "title": f"{site} {i}",
            "username": f"user{i}@example.org",
            "password": "".join(rnd.choice(ALPHABET) for _ in range(20)),
            "urls": urls,
            "notes": " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 16))),
            "tags": sorted(set(rnd.choice(TAGS) for _ in range(rnd.randint(1, 3)))),
        }


def keepass_xml(all_items, out):
    out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<KeePassFile>\n'
              "<Meta><Generator>kura bench</Generator><DatabaseName>bench</DatabaseName></Meta>\n"
              "<Root><Group><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><Name>Root</Name>\n")
    for i, it in enumerate(all_items, 1):
        uuid = __import__("base64").b64encode(i.to_bytes(16, "big")).decode()
        def s(key, value, protect=False):
            p = ' ProtectInMemory="True"' if protect else ""
            return f"<String><Key>{key}</Key><Value{p}>{escape(value)}</Value></String>"
        out.write(f"<Entry><UUID>{uuid}</UUID><Tags>{escape(';'.join(it['tags']))}</Tags>"
                  + s("Title", it["title"]) + s("UserName", it["username"])
                  + s("Password", it["password"], True) + s("URL", it["urls"][0])
                  + s("Notes", it["notes"])
                  + "".join(s(f"KP2A_URL_{k}", u) for k, u in enumerate(it["urls"][1:], 1))
                  + "</Entry>\n")
    out.write("</Group></Root>\n</KeePassFile>\n")


def main():
    n, outdir = int(sys.argv[1]), sys.argv[2]
    all_items = list(items(n))
    with open(f"{outdir}/items.json", "w") as f:
        json.dump(all_items, f)
    with open(f"{outdir}/items.xml", "w") as f:
        keepass_xml(all_items, f)
    with open(f"{outdir}/items.tsv", "w") as f:
        for it in all_items:
            body = "\\n".join([it["password"], "user: " + it["username"]]
                              + ["url: " + u for u in it["urls"]] + [it["notes"]])
            f.write(f"{it['title'].replace(' ', '-')}\t{body}\n")


if __name__ == "__main__":
    main()
