"""PASS/FAIL lines and their count, shared by the checks of tests/prometheus."""

PASSED = 0
FAILED = 0


def check(ok, what, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print(f"PASS  {what}" + (f" ({detail})" if detail else ""), flush=True)
    else:
        FAILED += 1
        print(f"FAIL  {what}" + (f": {detail}" if detail else ""), flush=True)
    return ok


def summary(what):
    print(f"{what}: {PASSED} passed, {FAILED} failed", flush=True)
    return 1 if FAILED else 0
