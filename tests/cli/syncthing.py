#!/usr/bin/env python3
"""Two Syncthing instances on 127.0.0.1 sharing one folder, for tests/cli/t_syncthing.sh.

    syncthing.py setup DIR     makes DIR/s1 and DIR/s2 (homes) sharing DIR/f1 and DIR/f2
    syncthing.py start DIR     starts both (pids in DIR/s?.pid, logs in DIR/s?.log)
    syncthing.py stop DIR      stops both

Discovery (global and local), relays, NAT traversal, usage reports, crash reports and
upgrades are off: the instances find each other only at the addresses given, on 127.0.0.1.
The folder is rescanned every second and watched, so a change crosses in a few seconds.
"""
import os
import random
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET


def device_id(home):
    out = subprocess.run(["syncthing", "--home=" + home, "--device-id"], capture_output=True,
                         text=True)
    if out.returncode == 0 and out.stdout.strip():
        return out.stdout.strip()
    # Older syncthing: the id is the device entry generate wrote.
    return ET.parse(os.path.join(home, "config.xml")).getroot().find("device").get("id")


def setup(d):
    ports = random.sample(range(22000, 42000), 4)
    homes = [os.path.join(d, "s1"), os.path.join(d, "s2")]
    folders = [os.path.join(d, "f1"), os.path.join(d, "f2")]
    for h, f in zip(homes, folders):
        os.makedirs(f, exist_ok=True)
        subprocess.run(["syncthing", "generate", "--home=" + h, "--no-default-folder"],
                       check=True, capture_output=True)
    ids = [device_id(h) for h in homes]
    for i, h in enumerate(homes):
        path = os.path.join(h, "config.xml")
        tree = ET.parse(path)
        root = tree.getroot()
        for old in root.findall("device") + root.findall("folder"):
            root.remove(old)
        folder = ET.SubElement(root, "folder", id="kura", label="kura", path=folders[i],
                               type="sendreceive", rescanIntervalS="1", fsWatcherEnabled="true",
                               fsWatcherDelayS="1", ignorePerms="false", autoNormalize="true")
        for j in range(2):
            ET.SubElement(folder, "device", id=ids[j], introducedBy="")
            dev = ET.SubElement(root, "device", id=ids[j], name="s%d" % (j + 1),
                                compression="metadata", introducer="false",
                                skipIntroductionRemovals="false", introducedBy="")
            ET.SubElement(dev, "address").text = "tcp://127.0.0.1:%d" % ports[j]
            ET.SubElement(dev, "autoAcceptFolders").text = "false"
        gui = root.find("gui")
        gui.set("enabled", "true")
        gui.find("address").text = "127.0.0.1:%d" % ports[2 + i]
        opts = root.find("options")
        for tag, value in (("listenAddress", "tcp://127.0.0.1:%d" % ports[i]),
                           ("globalAnnounceEnabled", "false"),
                           ("localAnnounceEnabled", "false"), ("relaysEnabled", "false"),
                           ("natEnabled", "false"), ("startBrowser", "false"),
                           ("urAccepted", "-1"), ("autoUpgradeIntervalH", "0"),
                           ("crashReportingEnabled", "false")):
            el = opts.find(tag)
            if el is None:
                el = ET.SubElement(opts, tag)
            el.text = value
        for extra in opts.findall("listenAddress")[1:]:
            opts.remove(extra)
        tree.write(path)


def start(d):
    env = dict(os.environ, STNOUPGRADE="1", STNODEFAULTFOLDER="1", STNORESTART="1")
    for i in (1, 2):
        home = os.path.join(d, "s%d" % i)
        log = open(os.path.join(d, "s%d.log" % i), "w")
        p = subprocess.Popen(["syncthing", "serve", "--home=" + home, "--no-browser",
                              "--no-restart", "--no-upgrade"], stdout=log, stderr=log, env=env,
                             start_new_session=True)
        with open(os.path.join(d, "s%d.pid" % i), "w") as f:
            f.write(str(p.pid))


def stop(d):
    for i in (1, 2):
        try:
            with open(os.path.join(d, "s%d.pid" % i)) as f:
                pid = int(f.read())
            os.killpg(pid, signal.SIGTERM)
            for _ in range(50):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.killpg(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    {"setup": setup, "start": start, "stop": stop}[sys.argv[1]](sys.argv[2])
