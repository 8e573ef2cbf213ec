#!/usr/bin/env python3
"""lac-serve's chat page in a headless browser (Debian's chromium and
chromium-driver, through selenium): the page loads, a message typed into it is
sent, and the streamed answer appears and completes. Exits 77 (ctest:
skipped) when the browser or selenium is missing.

    chat_page_test.py LAC_SERVE MODEL.lac
"""
import os
import shutil
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("selenium is not installed (pip install selenium): skipped")
    sys.exit(77)
DRIVER = shutil.which("chromedriver")
BROWSER = shutil.which("chromium")
if not DRIVER or not BROWSER:
    print("chromium / chromium-driver are not installed: skipped")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test  # noqa: E402  (the server fixture)


def main():
    s = serve_test.Server()
    try:
        opts = Options()
        opts.binary_location = BROWSER
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
            opts.add_argument(arg)
        driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
        try:
            driver.get(f"http://127.0.0.1:{s.port}/")
            box = driver.find_element(By.ID, "input")
            box.send_keys("Hello there")
            driver.find_element(By.ID, "send").click()
            done = WebDriverWait(driver, 60).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.assistant[data-done]"))
            state = done[0].get_attribute("data-done")
            status = driver.find_element(By.ID, "status").text
            answer = done[0].text
            users = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".msg.user")]
        finally:
            driver.quit()
        assert state == "true", f"the page reported: {status}"
        assert users == ["Hello there"], users
        assert answer.strip(), "the streamed answer is empty"
        print("chat page: the answer appeared:", repr(answer[:80]))
    finally:
        rc = s.stop()
    assert rc == 0, rc
    print("OK")


if __name__ == "__main__":
    main()
