#!/usr/bin/env python3
"""The web UI's acceptance test in a real browser (issue 23): headless Debian Chromium driven by selenium against a
real server and real agents (scripts/browser_testbed.py), at 1280×800. Each step saves a screenshot into the
artifacts directory, and after each the browser console must hold no SEVERE entry. Exits 1 on the first failed
step, naming it.

    python3 scripts/browser_test.py [--bin .build/debug] [--artifacts .build/browser-artifacts] [--ports 18200-18299]
"""
import argparse
import os
import re
import signal
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_testbed import (ROOT, GUEST_NAME, SCRIPT_NAME, SCRIPT_OUTPUT, API, BedError, Ports, Testbed,  # noqa: E402
                             wait_for)

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    sys.exit("browser test: PyPI selenium is missing (bash scripts/install-deps.sh test installs it)")

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


class StepFailed(Exception):
    """A step's check failed; the message says what was expected and what was seen."""


class Browser:
    """Headless Chromium with the console collected: `check_console()` fails on SEVERE entries."""

    def __init__(self, profile, artifacts, ports, allowed):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,800", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # Chromium's own temporary files go into the bed's directory too, removed with it.
        service = Service(CHROMEDRIVER, port=ports.free(), env={**os.environ, "TMPDIR": os.path.dirname(profile)})
        self.driver = webdriver.Chrome(options=options, service=service)
        # The page itself gets 1280×800 (the window's frame, if any, comes on top).
        frame = self.js("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]")
        self.driver.set_window_size(1280 + frame[0], 800 + frame[1])
        self.artifacts, self.allowed, self.step = artifacts, allowed, 0

    def js(self, script, *arguments):
        return self.driver.execute_script(script, *arguments)

    def go(self, hash_):
        self.js("window.location.hash = arguments[0]", hash_)

    def find(self, css, what, timeout=15, text=None):
        """The first visible element matching `css` (whose text contains `text`, if given)."""
        def found():
            for element in self.driver.find_elements(By.CSS_SELECTOR, css):
                try:
                    if element.is_displayed() and (text is None or text in element.text):
                        return element
                except StaleElementReferenceException:
                    return None  # the page redrew it while it was read: look again at the next poll
            return None
        try:
            return wait_for(what, found, timeout)
        except BedError as error:
            raise StepFailed(str(error)) from None

    def click(self, css, what, timeout=15, text=None):
        """Clicks the element `find` gives, finding it again if the page redrew it meanwhile."""
        for attempt in range(3):
            try:
                return self.find(css, what, timeout, text).click()
            except StaleElementReferenceException:
                if attempt == 2:
                    raise StepFailed(f"{what}: the page kept redrawing it") from None

    def until(self, what, check, timeout=15):
        try:
            return wait_for(what, check, timeout)
        except BedError as error:
            raise StepFailed(str(error)) from None

    def screenshot(self, name, show=None):
        """Saves STEP-NAME.png; `show` is an element scrolled to the top of the view first."""
        if show is not None:
            self.js("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -60)", show)
        path = os.path.join(self.artifacts, f"{self.step:02d}-{name}.png")
        self.driver.save_screenshot(path)
        return path

    def check_console(self):
        severe = [e for e in self.driver.get_log("browser")
                  if e.get("level") == "SEVERE" and not any(p.search(e.get("message", "")) for p in self.allowed)]
        if severe:
            raise StepFailed("the browser console has errors: " + "; ".join(e["message"] for e in severe))

    def close(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass


def step_login(browser, bed, user, password, load=True):
    if load:
        browser.driver.get(bed.url + "/")
    name = browser.find('form.login input[name="username"]', "the login form")
    name.clear()
    name.send_keys(user)
    browser.find('form.login input[name="password"]', "the password field").send_keys(password)
    browser.screenshot(f"login-form-{user}")
    browser.click('form.login button[type="submit"]', "the Sign in button")
    browser.find("#who", f"the signed-in user {user} in the header", text=user)
    browser.screenshot(f"signed-in-{user}")


def step_inventory(browser, bed, hostname, platform):
    browser.go("#/inventory")
    search = browser.find('input[type="search"][name="q"]', "the inventory's search box")
    search.clear()
    search.send_keys(hostname + "\n")
    browser.find(".vlist a", f"{hostname} in the inventory list", text=hostname)
    browser.until("the filtered list", lambda: "q=" in browser.js("return location.hash"))
    link = f'.vlist a[href="#/resource/{platform["id"]}"]'
    browser.find(link, f"the link to platform {hostname}")
    browser.screenshot("inventory-search")
    browser.click(link, f"the link to platform {hostname}")  # found again if the list redrew it meanwhile
    browser.find("main h1", f"the resource page of {hostname}", text=hostname)
    browser.screenshot("resource-page")


def chart_points(browser):
    """(points of the first chart, the longest line's points) or None before the chart has any."""
    return browser.js("""const figure = document.querySelector('figure.chart');
        if (!figure || !figure.chart || !figure.chart.pointCount) return null;
        return [figure.chart.pointCount, Math.max(...[...figure.chart.lines.values()].map((l) => l.points.length))];""")


def step_live_chart(browser, bed, platform, live_route):
    browser.click("#tab-metrics", "the Metrics tab")
    browser.find("figure.chart canvas", "a chart on the Metrics tab")
    before = browser.until("the first chart's points", lambda: chart_points(browser), 20)
    started = time.monotonic()
    if live_route:  # 1 s points while someone watches: at least 3 more on a line within about 5 s
        after = browser.until("3 live points on the first chart's line within 6 s",
                              lambda: (p := chart_points(browser)) and p[1] >= before[1] + 3 and p, 6)
    else:
        after = browser.until(f"new points on the first chart at the agent's {bed.interval} interval",
                              lambda: (p := chart_points(browser)) and p[0] > before[0] and p, 12)
    browser.screenshot("live-chart")
    return f"{before[0]} → {after[0]} points ({after[1] - before[1]} on one line) in {time.monotonic() - started:.1f} s"


def step_stack(browser, bed, vm, guest):
    browser.go(f"#/resource/{vm['id']}?tab=stack")
    browser.find(".stack-layer[data-kind=vm]", "the VM's layer in the stack", 20, text="web-vm")
    browser.find(".stack-layer[data-kind=platform]", "the guest platform's layer", 20, text=GUEST_NAME)
    rows = browser.js("return [...document.querySelectorAll('.stack-layer')].map((r) => [r.dataset.kind, r.innerText])")
    kinds = [kind for kind, _ in rows]
    vm_row = next(i for i, (kind, text) in enumerate(rows) if kind == "vm" and "web-vm" in text)
    guest_row = next(i for i, (kind, text) in enumerate(rows) if kind == "platform" and GUEST_NAME in text)
    if not (guest_row > vm_row and "hypervisor" in kinds[:vm_row]):
        raise StepFailed(f"the stack should read host, hypervisor, web-vm, then {GUEST_NAME}; it reads {kinds}")
    browser.screenshot("stack", browser.driver.find_elements(By.CSS_SELECTOR, ".stack-layer")[vm_row])
    return " › ".join(kinds)


def step_acknowledge(browser, bed, platform):
    bed.api.ok("POST", "alert-definitions", {
        "name": "browser-test-uptime", "scope": {"resource": platform["id"]}, "severity": "warning",
        "condition": {"type": "threshold", "metric": "uptime_seconds", "op": ">", "threshold": 0}})
    alert = browser.until("the alert browser-test-uptime firing",
                          lambda: next((a for a in bed.api.get("alerts?state=firing&limit=100")
                                        if a.get("definitionName") == "browser-test-uptime"), None), 30)
    browser.go("#/alerts")
    acknowledge = f'button[data-alert="{alert["id"]}"]'
    browser.find(acknowledge, "the alert's Acknowledge button", text="Acknowledge")
    browser.screenshot("alert-firing")
    browser.click(acknowledge, "the alert's Acknowledge button", text="Acknowledge")
    row = f'tr:has(a[href="#/alerts?id={alert["id"]}"]) .pill.acknowledged'
    browser.find(row, "the alert's state acknowledged on the alerts page")
    state = bed.api.get(f"alerts/{alert['id']}").get("state")
    if state != "acknowledged":
        raise StepFailed(f"the server holds the alert as {state}, not acknowledged")
    browser.screenshot("alert-acknowledged")


def step_control(browser, bed, platform):
    browser.go(f"#/resource/{platform['id']}?tab=control")
    form = browser.find('form[aria-label="Action run-script"]', "the run-script action's form", 20)
    form.find_element(By.CSS_SELECTOR, 'input[name="script"]').send_keys(SCRIPT_NAME)
    form.find_element(By.CSS_SELECTOR, 'input[name="args"]').send_keys("from-chromium")
    form.find_element(By.CSS_SELECTOR, 'button[data-action="run-script"]').click()
    browser.find('[aria-label="Command result"]', "the command's result panel", 30)
    browser.find('[aria-label="Command result"] .pill.succeeded', "the command finished: succeeded", 30)
    panel = browser.find('[aria-label="Command result"]', "the finished command's panel", 5)  # redrawn until it ended
    output = browser.find('[aria-label="Command result"] pre.stdout', "the script's output", 5).text
    if f"{SCRIPT_OUTPUT} from-chromium" not in output:
        raise StepFailed(f"the output should say {SCRIPT_OUTPUT!r} from-chromium; it says {output!r}")
    browser.screenshot("control-result", panel)
    return panel.text.splitlines()[0]


def step_config_diff(browser, bed, platform):
    browser.go(f"#/resource/{platform['id']}?tab=configs&path={urllib.parse.quote(bed.config_path, safe='')}")
    diff = browser.find("pre.diff", "the unified diff of the tracked file", 20)
    added = [e.text for e in diff.find_elements(By.CSS_SELECTOR, ".add")]
    removed = [e.text for e in diff.find_elements(By.CSS_SELECTOR, ".del")]
    if "+mode = new" not in added or "-mode = old" not in removed or "+workers = 8" not in added:
        raise StepFailed(f"the diff should remove 'mode = old' and add 'mode = new', 'workers = 8': +{added} -{removed}")
    browser.screenshot("config-diff", browser.find("h3", "the Diff heading", 5, text="Diff"))


def step_discovery(browser, bed, rogue):
    entry = browser.until("rogue-vm waiting in the discovery queue",
                          lambda: next((e for e in bed.api.get("discoveries?status=pending&limit=500")
                                        if e.get("resourceId") == rogue["id"]), None), 20)
    browser.go("#/discovery")
    approve = f'button[data-decision="approve"][data-entry="{entry["id"]}"]'
    browser.find(approve, "rogue-vm's Approve button")
    browser.screenshot("discovery-pending")
    browser.click(approve, "rogue-vm's Approve button")
    browser.until("rogue-vm's entry gone from the pending list", lambda: not browser.driver.find_elements(
        By.CSS_SELECTOR, f'button[data-entry="{entry["id"]}"]'))
    approval = bed.api.get(f"resources/{rogue['id']}")
    approval = (approval.get("resource") or approval).get("approval")
    if approval != "approved":
        raise StepFailed(f"rogue-vm's approval is {approval} after Approve")
    browser.screenshot("discovery-approved")


def step_viewer(browser, bed, platform):
    bed.api.ok("POST", "users", {"username": "browser-viewer", "password": "viewer-password-1", "role": "viewer"})
    browser.click("#logout", "the Log out button")
    # The page shows the form once the session is deleted (loading the page meanwhile would ask whoami with the
    # session's cookie on its way out: a 401 in the console).
    step_login(browser, bed, "browser-viewer", "viewer-password-1", load=False)
    browser.go(f"#/resource/{platform['id']}?tab=control")
    browser.find("section[role=tabpanel] p", "the viewer's note on the Control tab", 20, text="not act on it")
    buttons = [b.text for b in browser.driver.find_elements(By.CSS_SELECTOR, "section[role=tabpanel] button")]
    if any(b.startswith("Run") for b in buttons) or browser.driver.find_elements(By.CSS_SELECTOR, "button[data-action]"):
        raise StepFailed(f"a viewer sees a Run button: {buttons}")
    browser.screenshot("viewer-control")
    status, data = API(bed.url, "browser-viewer", "viewer-password-1").call(
        "POST", "control/commands", {"resource": platform["id"], "action": "run-script", "parameters": {"script": SCRIPT_NAME}})
    if status != 403:
        raise StepFailed(f"the server answered a viewer's control request with {status} ({data}), not 403")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/debug"), help="directory of the strata binary")
    parser.add_argument("--artifacts", default=os.path.join(ROOT, ".build/browser-artifacts"), help="screenshots go here")
    parser.add_argument("--ports", help="use only loopback ports of this range, e.g. 18200-18299")
    parser.add_argument("--interval", default="2s", help="the agents' collection interval")
    args = parser.parse_args()
    artifacts = os.path.abspath(args.artifacts)
    os.makedirs(artifacts, exist_ok=True)
    for old in os.listdir(artifacts):
        if old.endswith((".png", ".log")):
            os.remove(os.path.join(artifacts, old))
    ports = Ports(args.ports)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stops what was started (the finally below)
    started = time.monotonic()
    bed = browser = None
    current = "setting up"
    failed = True
    try:
        bed = Testbed(args.bin, ports, args.interval)
        bed.start_server()
        bed.expect_discoveries()
        bed.start_agents()
        platform, vm, rogue, guest = bed.wait_for_inventory()
        bed.change_config(platform["id"])
        status, _ = bed.api.call("POST", f"resources/{platform['id']}/live", {"seconds": 30})
        live_route = status != 404
        # Until the live route has landed, the page's request for 1 s points answers 404: the console shows it.
        allowed = [] if live_route else [re.compile(r"/api/v1/resources/[0-9a-f]+/live - Failed to load resource: .* 404")]
        browser = Browser(os.path.join(bed.dir, "chromium"), artifacts, ports, allowed)
        hostname = socket.gethostname()
        steps = [
            ("log in through the form", lambda: step_login(browser, bed, "admin", bed.password)),
            (f"find {hostname} in the inventory and open it", lambda: step_inventory(browser, bed, hostname, platform)),
            ("watch a chart gain live points", lambda: step_live_chart(browser, bed, platform, live_route)),
            ("the stack of VM web-vm with its guest", lambda: step_stack(browser, bed, vm, guest)),
            ("acknowledge a firing alert", lambda: step_acknowledge(browser, bed, platform)),
            ("run a permitted control action", lambda: step_control(browser, bed, platform)),
            ("open a configuration diff", lambda: step_config_diff(browser, bed, platform)),
            ("approve an unknown VM in the discovery queue", lambda: step_discovery(browser, bed, rogue)),
            ("a viewer sees no control button", lambda: step_viewer(browser, bed, platform)),
        ]
        for number, (title, run) in enumerate(steps, 1):
            current = f"step {number} ({title})"
            browser.step = number
            step_started = time.monotonic()
            detail = run()
            browser.check_console()
            print(f"ok {number} {title} ({time.monotonic() - step_started:.1f} s){': ' + detail if detail else ''}", flush=True)
        if not live_route:
            print("note: POST /api/v1/resources/{id}/live is not in this server; its 404s in the console were allowed")
        failed = False
    except (StepFailed, BedError, WebDriverException) as error:
        message = str(error).strip().splitlines()[0] if isinstance(error, WebDriverException) else str(error)
        print(f"FAILED {current}: {message}", file=sys.stderr)
        if browser:
            try:
                print(f"  screenshot: {browser.screenshot('failed')}", file=sys.stderr)
            except WebDriverException:
                pass
    finally:
        if browser:
            browser.close()
        if bed:
            bed.close(keep_logs_in=artifacts if failed else None)
    print(f"browser test {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s; artifacts: {artifacts}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
