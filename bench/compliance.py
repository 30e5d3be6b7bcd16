"""Checker benchmark: whole-application latency and `check-batch` throughput.

    ./run bench compliance                 # 2,000 application checks, 10,000 batch texts
    PYTHONPATH=src python bench/compliance.py --runs 500 --texts 2000

1. Latency: `check_application()` on the bundled example (about 12 texts, including the privacy
   policy and terms), single process, after a warm-up. Nothing is cached by input: every run
   analyses every text again; only compiled patterns and the rule catalog are reused.
2. Throughput: a generated JSON Lines file of realistic, mixed-kind texts (opt-ins, sample
   messages and keyword replies, campaign descriptions, message flows, privacy policies, terms;
   compliant and non-compliant) through `run_batch`, the function behind `consentry check-batch`,
   from file to file, single process.

Prints the figures and the floors (5 ms median, 2,000 texts/s) with PASS/FAIL; exits 1 when a
floor is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

from consentry.cli.check import default_jobs, example_path, run_batch
from consentry.compliance import check_application, load_application

MEDIAN_FLOOR_MS = 5.0
THROUGHPUT_FLOOR = 2_000.0

# ---------------------------------------------------------------------------------------------
# Realistic texts


class Brand(NamedTuple):
    legal: str
    short: str
    domain: str
    use_case: str
    thing: str


BRANDS = [
    Brand(
        "Northside Physical Therapy", "Northside PT", "northsidept.com", "CUSTOMER_CARE", "visit"
    ),
    Brand("Bluebird Bakery LLC", "Bluebird Bakery", "bluebirdbakery.com", "MARKETING", "order"),
    Brand(
        "Summit Auto Repair Inc.", "Summit Auto", "summitauto.com", "ACCOUNT_NOTIFICATION", "repair"
    ),
    Brand(
        "Harbor Dental Group", "Harbor Dental", "harbordental.com", "CUSTOMER_CARE", "appointment"
    ),
    Brand("Green Leaf Landscaping", "Green Leaf", "greenleafyards.com", "MIXED", "service visit"),
    Brand(
        "Pinecrest Property Management",
        "Pinecrest",
        "pinecrestpm.com",
        "ACCOUNT_NOTIFICATION",
        "maintenance request",
    ),
    Brand(
        "Riverbend Veterinary Clinic",
        "Riverbend Vet",
        "riverbendvet.com",
        "CUSTOMER_CARE",
        "pet's appointment",
    ),
    Brand("Metro Fitness Studio", "Metro Fitness", "metrofit.com", "MARKETING", "class"),
    Brand("Lakeside Credit Union", "Lakeside CU", "lakesidecu.org", "FRAUD_ALERT", "card"),
    Brand(
        "Oakwood Plumbing & Heating",
        "Oakwood Plumbing",
        "oakwoodplumbing.com",
        "CUSTOMER_CARE",
        "service call",
    ),
    Brand(
        "Sunrise Pharmacy",
        "Sunrise Pharmacy",
        "sunriserx.com",
        "ACCOUNT_NOTIFICATION",
        "prescription",
    ),
    Brand("Cedar Ridge Realty", "Cedar Ridge", "cedarridgehomes.com", "MARKETING", "showing"),
]

MESSAGE_TYPES = [
    "appointment reminders",
    "order updates",
    "delivery notifications",
    "account alerts",
    "promotional offers",
    "service updates and reminders",
    "shipping confirmations",
]
FREQUENCIES = [
    "Msg frequency varies.",
    "Up to 4 msgs/month.",
    "Message frequency varies.",
    "Up to 2 messages per week.",
    "1 msg per request.",
    "Msg freq varies.",
]
RATES = [
    "Msg & data rates may apply.",
    "Message and data rates may apply.",
    "Msg&data rates may apply.",
    "Standard message and data rates may apply.",
]
STOPS = [
    "Reply STOP to opt out.",
    "Text STOP to cancel.",
    "Reply STOP to unsubscribe.",
    "Txt STOP to end.",
]
HELPS = ["Reply HELP for help.", "Text HELP for info.", "For help, reply HELP or call {phone}."]


def _phone(rng: random.Random) -> str:
    return f"{rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}"


def opt_in(rng: random.Random, b: Brand) -> str:
    parts = []
    if rng.random() < 0.5:
        parts.append("[ ]")
    who = b.legal if rng.random() < 0.6 else (b.short if rng.random() < 0.7 else "us")
    parts.append(
        f"I agree to receive {rng.choice(MESSAGE_TYPES)} by text message from {who} "
        "at the mobile number provided."
    )
    for chosen, p in ((FREQUENCIES, 0.85), (RATES, 0.85), (STOPS, 0.85)):
        if rng.random() < p:
            parts.append(rng.choice(chosen))
    if rng.random() < 0.8:
        parts.append(rng.choice(HELPS).format(phone=_phone(rng)))
    if rng.random() < 0.75:
        parts.append("Consent is not a condition of purchase.")
    elif rng.random() < 0.3:
        parts.append("By submitting this form you agree to receive calls, emails and texts.")
    if rng.random() < 0.8:
        parts.append(
            f"Privacy Policy: https://{b.domain}/privacy. Terms: https://{b.domain}/terms."
        )
    text = " ".join(parts)
    if rng.random() < 0.15:
        checked = " checked" if rng.random() < 0.2 else ""
        return (
            f'<form action="/sms" method="post"><label for="phone">Mobile number</label>'
            f'<input id="phone" name="phone" type="tel"><label><input type="checkbox" '
            f'name="sms"{checked}> {text.replace("[ ] ", "").replace("&", "&amp;")}</label>'
            f'<button type="submit">Sign up</button></form>'
        )
    return text


SAMPLES = [
    "{short}: Hi [first name], this is a reminder of your {thing} on [date] at [time]. "
    "Reply C to confirm or call {phone} to reschedule.",
    "{short}: Your {thing} is confirmed for [date]. Questions? Call {phone}.",
    "{short}: Good news, your order #[order id] has shipped and should arrive by [date]. "
    "Track it at https://{domain}/track",
    "{short}: This weekend only, 20% off everything in store with code SAVE20! "
    "Shop at https://{domain}/sale",
    "{short}: Your verification code is [code]. It expires in 10 minutes.",
    "{short}: We noticed a charge of $[amount] at [merchant]. Reply YES if it was you, NO if not.",
    "{short}: Your {thing} was rescheduled to [date] at [time]. Reply OK to confirm.",
    "Hi [first name]! Don't miss our spring event: https://bit.ly/3xYzAb",
    "{short}: Thanks for visiting! Tell us how we did: https://{domain}/review",
    "Appointment reminder",
]
SAMPLE_ENDINGS = [" Reply STOP to opt out.", " Txt STOP to end.", " Reply STOP to cancel.", ""]


def sample(rng: random.Random, b: Brand) -> tuple[str, dict[str, Any]]:
    tpl = rng.choice(SAMPLES)
    text = tpl.format(short=b.short, thing=b.thing, domain=b.domain, phone=_phone(rng))
    text += rng.choice(SAMPLE_ENDINGS)
    ctx: dict[str, Any] = {"message_role": "message"}
    roll = rng.random()
    if "verification code" in tpl:
        ctx["use_case"] = "2FA"
    elif roll < 0.6:
        ctx["use_case"] = b.use_case
    if roll > 0.85:
        role, text = rng.choice(
            [
                (
                    "opt_in_confirmation",
                    f"{b.short}: You're subscribed to {rng.choice(MESSAGE_TYPES)}. "
                    f"{rng.choice(FREQUENCIES)} {rng.choice(RATES)} "
                    "Reply HELP for help, STOP to cancel.",
                ),
                (
                    "opt_out_reply",
                    f"{b.short}: You are unsubscribed and will receive no further messages.",
                ),
                (
                    "help_reply",
                    f"{b.short}: For help call {_phone(rng)} or email help@{b.domain}. "
                    "Reply STOP to cancel.",
                ),
            ]
        )
        ctx["message_role"] = role
    return text, ctx


def description(rng: random.Random, b: Brand) -> str:
    if rng.random() < 0.1:
        return "We send texts to customers."
    return (
        f"{b.legal} sends {rng.choice(MESSAGE_TYPES)} to its own customers who opted in on "
        f"https://{b.domain} or in person. Messages cover their {b.thing}s, changes to them and "
        f"answers to their questions. {rng.choice(FREQUENCIES)} Customers can reply STOP at any "
        "time to stop receiving messages."
    )


def message_flow(rng: random.Random, b: Brand) -> str:
    if rng.random() < 0.15:
        return "Customers opt in when they give us their phone number."
    return (
        f"Customers opt in on https://{b.domain}/sms by entering their mobile number and checking "
        f'an unchecked, optional box next to this language: "I agree to receive text messages '
        f"from {b.legal}. {rng.choice(FREQUENCIES)} {rng.choice(RATES)} Reply HELP for help, STOP "
        f'to opt out. Privacy: https://{b.domain}/privacy Terms: https://{b.domain}/terms". '
        f"Consent is not a condition of purchase. Screenshot: https://{b.domain}/sms-optin.png"
    )


PRIVACY_PARAGRAPHS = [
    '{legal} ("we", "us") respects your privacy. This policy explains what information we '
    "collect when you use {domain} or visit us, how we use it, and the choices you have.",
    "Information we collect. We collect the information you give us, such as your name, email "
    "address, mailing address and mobile phone number, and information about your visits and "
    "purchases. Our website collects usage data through cookies; you can disable cookies in your "
    "browser settings.",
    "How we use information. We use your information to provide and improve our services, to "
    "schedule and remind you of appointments, to process payments, to answer your questions, and "
    "to comply with the law.",
    "Text messaging. If you opt in to text messages, we use your mobile number only to send the "
    "messages you asked for. Reply STOP to opt out at any time or HELP for help.",
    "No mobile information will be shared with third parties or affiliates for marketing or "
    "promotional purposes. Text messaging originator opt-in data and consent will not be shared "
    "with any third parties.",
    "We may share personal information, including phone numbers, with our partners and "
    "affiliates for their marketing purposes.",
    "Service providers. We share information with companies that perform services for us, such "
    "as payment processing and hosting, under contracts that require them to protect it and use "
    "it only to provide those services.",
    "Security. We protect your information with administrative, technical and physical "
    "safeguards. No method of transmission over the internet is completely secure.",
    "Your choices. You may ask us to access, correct or delete your information by emailing "
    "privacy@{domain}. California residents have additional rights under the CCPA.",
    "Children. Our services are not directed to children under 13 and we do not knowingly "
    "collect their information.",
    "Changes. We may update this policy and will post the new version at https://{domain}/privacy "
    "with its effective date. Contact us at privacy@{domain} with any questions.",
]


def privacy(rng: random.Random, b: Brand) -> str:
    paras = [PRIVACY_PARAGRAPHS[0]]
    rest = PRIVACY_PARAGRAPHS[1:]
    paras += rng.sample(rest, k=rng.randint(6, len(rest)))
    body = "\n\n".join(p.format(legal=b.legal, domain=b.domain) for p in paras)
    return f"# Privacy Policy\n\n{body}\n"


TERMS_LINES = [
    "{short} text messages: by opting in you agree to receive {kind} from {legal}.",
    "{freq}",
    "{rates}",
    "You can cancel at any time: text STOP to {phone_short}. After you send STOP we will send one "
    "message to confirm that you have been unsubscribed.",
    "For help, reply HELP or email support@{domain}.",
    "Carriers are not liable for delayed or undelivered messages.",
    "See our Privacy Policy at https://{domain}/privacy.",
    "We will not share or sell your mobile number or SMS consent with third parties.",
    "These terms are governed by the laws of the State of Texas. We may change them at any time "
    "by posting the new terms at https://{domain}/terms.",
]


def terms(rng: random.Random, b: Brand) -> str:
    lines = [t for t in TERMS_LINES if rng.random() < 0.9]
    body = "\n".join(
        f"{i + 1}. "
        + t.format(
            short=b.short,
            kind=rng.choice(MESSAGE_TYPES),
            legal=b.legal,
            freq=rng.choice(FREQUENCIES),
            rates=rng.choice(RATES),
            phone_short=_phone(rng),
            domain=b.domain,
        )
        for i, t in enumerate(lines)
    )
    return f"# Terms of Service\n\n## SMS program\n\n{body}\n"


# Shares of each kind in the batch, roughly what a provider's customers submit.
MIX = [
    ("sample_message", 0.36),
    ("opt_in", 0.26),
    ("campaign_description", 0.12),
    ("message_flow", 0.10),
    ("privacy_policy", 0.08),
    ("terms", 0.08),
]


def record(rng: random.Random, i: int) -> dict[str, Any]:
    """One realistic check-batch input line."""
    brand = rng.choice(BRANDS)
    kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
    context: dict[str, Any] = {}
    if kind == "sample_message":
        text, context = sample(rng, brand)
    elif kind == "opt_in":
        text = opt_in(rng, brand)
    elif kind == "campaign_description":
        text = description(rng, brand)
    elif kind == "message_flow":
        text = message_flow(rng, brand)
    elif kind == "privacy_policy":
        text = privacy(rng, brand)
    else:
        text = terms(rng, brand)
    if "use_case" not in context and rng.random() < 0.6:
        context["use_case"] = brand.use_case
    return {
        "id": f"t{i:06d}",
        "kind": kind,
        "company": brand.legal,
        "text": text,
        "context": context,
    }


def write_batch(path: Path, count: int, seed: int) -> dict[str, int]:
    """Write `count` generated lines to `path`; return how many of each kind."""
    rng = random.Random(seed)
    kinds: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            rec = record(rng, i)
            kinds[rec["kind"]] = kinds.get(rec["kind"], 0) + 1
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return kinds


# ---------------------------------------------------------------------------------------------
# Measurements


def latency(runs: int, warmup: int) -> dict[str, float]:
    """Milliseconds per whole-application check of the bundled example."""
    app = load_application(example_path())
    for _ in range(warmup):
        check_application(app)
    times = []
    clock = time.perf_counter_ns
    for _ in range(runs):
        start = clock()
        check_application(app)
        times.append((clock() - start) / 1e6)
    times.sort()
    return {
        "runs": runs,
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
        "mean_ms": statistics.fmean(times),
        "max_ms": times[-1],
    }


def throughput(count: int, seed: int, jobs: int) -> dict[str, Any]:
    """Texts per second through check-batch's code path, file to file."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        kinds = write_batch(src, count, seed)
        size = src.stat().st_size
        # Warm the rule caches on a few lines so the measurement is steady-state.
        warm = Path(tmp) / "warm.jsonl"
        write_batch(warm, 200, seed + 1)
        with warm.open("rb") as fin, (Path(tmp) / "warm.out").open("w", encoding="utf-8") as fout:
            run_batch(fin, fout, show_progress=False, total=None, jobs=1)
        with src.open("rb") as fin, dst.open("w", encoding="utf-8", newline="\n") as fout:
            start = time.perf_counter()
            stats = run_batch(fin, fout, show_progress=False, total=None, jobs=jobs)
            elapsed = time.perf_counter() - start
        with dst.open(encoding="utf-8") as fh:
            out_lines = sum(1 for _ in fh)
    if out_lines != stats.lines:
        raise SystemExit(f"check-batch wrote {out_lines} lines for {stats.lines} inputs")
    return {
        "jobs": jobs,
        "texts": stats.lines,
        "bytes": size,
        "kinds": kinds,
        "seconds": elapsed,
        "texts_per_s": stats.lines / elapsed,
        "passed": stats.passed,
        "failed": stats.failed,
        "bad": stats.bad,
    }


def main(argv: list[str] | None = None) -> int:
    """Run both measurements and print them against the floors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=2_000, help="timed application checks")
    parser.add_argument("--warmup", type=int, default=100, help="untimed checks first")
    parser.add_argument("--texts", type=int, default=10_000, help="lines in the batch")
    parser.add_argument("--seed", type=int, default=20_240_411)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    lat = latency(args.runs, args.warmup)
    single = throughput(args.texts, args.seed, 1)
    thr = throughput(args.texts, args.seed, default_jobs())
    ok_latency = lat["median_ms"] <= MEDIAN_FLOOR_MS
    # The floor applies to check-batch as a user runs it: one worker process per core.
    ok_throughput = thr["texts_per_s"] >= THROUGHPUT_FLOOR
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }
    if args.json:
        print(
            json.dumps(
                {
                    "machine": machine,
                    "latency": lat,
                    "throughput_single": single,
                    "throughput": thr,
                },
                indent=2,
            )
        )
    else:
        print(f"machine: {machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}")
        print(f"application check (bundled example, {lat['runs']:,} runs, single process)")
        print(
            f"  median {lat['median_ms']:.3f} ms  p95 {lat['p95_ms']:.3f} ms  "
            f"mean {lat['mean_ms']:.3f} ms  max {lat['max_ms']:.3f} ms"
        )
        print(f"  floor: median <= {MEDIAN_FLOOR_MS:g} ms  {'PASS' if ok_latency else 'FAIL'}")
        mix = ", ".join(f"{k} {v:,}" for k, v in sorted(thr["kinds"].items()))
        print(f"check-batch ({thr['texts']:,} texts, {thr['bytes'] / 1e6:.1f} MB: {mix})")
        for run in (single, thr):
            label = "1 process" if run["jobs"] == 1 else f"{run['jobs']} worker processes"
            print(
                f"  {label}: {run['texts_per_s']:,.0f} texts/s  ({run['seconds']:.2f} s; "
                f"{run['passed']:,} pass, {run['failed']:,} fail, {run['bad']:,} bad lines)"
            )
        print(f"  floor: >= {THROUGHPUT_FLOOR:,.0f} texts/s  {'PASS' if ok_throughput else 'FAIL'}")
    return 0 if ok_latency and ok_throughput else 1


if __name__ == "__main__":
    sys.exit(main())
