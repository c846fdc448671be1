//! The Debian package as a person gets it: `scripts/package.sh`'s `.deb` (named by `BEDROCK_BATCH_DEB`) unpacked
//! into a temporary root as dpkg would install it, its menu entry and icons checked, the installed CLI run, and
//! the installed, optimised app driven through WebDriver: launch, the offline sandbox, a sheet, Help → About and
//! Copy diagnostics, and its log. Screenshots in `target/e2e-screenshots/installed/`.
//!
//! The test command (`scripts/test.sh`) builds the package and runs this test; a plain `cargo test` skips it.

use std::path::{Path, PathBuf};
use std::process::Command;

use e2e_tests::samples;
use e2e_tests::webdriver::{Driver, Session, fresh_screenshot_dir};

/// The package's name, its binaries and its menu entry.
const PACKAGE: &str = "bedrock-batch-studio";

fn dpkg_deb(args: &[&str]) -> String {
    let output = Command::new("dpkg-deb").args(args).output().expect("run dpkg-deb");
    assert!(output.status.success(), "dpkg-deb {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn the_deb() -> PathBuf {
    let deb = std::env::var_os("BEDROCK_BATCH_DEB").map(PathBuf::from).expect("BEDROCK_BATCH_DEB names the .deb");
    assert!(deb.is_file(), "{} is not a file: run bash scripts/package.sh", deb.display());
    deb
}

/// The package unpacked into `root` (`dpkg-deb -x`: the files dpkg would install, under `root`).
fn unpack(deb: &Path, root: &Path) {
    dpkg_deb(&["-x", &deb.to_string_lossy(), &root.to_string_lossy()]);
}

fn desktop_entry(root: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root.join(format!("usr/share/applications/{PACKAGE}.desktop"))).unwrap();
    assert!(text.starts_with("[Desktop Entry]\n"), "{text}");
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
#[ignore = "needs the .deb: `bash scripts/package.sh`, then BEDROCK_BATCH_DEB=<path> (scripts/test.sh does both)"]
fn the_installed_package_has_its_menu_entry_and_cli_and_its_app_opens_the_sandbox_and_a_sheet() {
    let deb = the_deb();
    let version = env!("CARGO_PKG_VERSION");
    let fields = dpkg_deb(&["--field", &deb.to_string_lossy(), "Package", "Version", "Depends"]);
    assert!(
        fields.contains(&format!("Package: {PACKAGE}\n")) && fields.contains(&format!("Version: {version}\n")),
        "{fields}"
    );
    assert!(fields.contains("libwebkit2gtk-4.1"), "the webview is a dependency: {fields}");

    let root = tempfile::tempdir().unwrap();
    unpack(&deb, root.path());
    let app = root.path().join(format!("usr/bin/{PACKAGE}"));
    let cli = root.path().join("usr/bin/bedrock-batch");

    // The menu entry starts the installed app by name (it is on the PATH) with the installed icon.
    let entry = desktop_entry(root.path());
    let value = |key: &str| entry.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("");
    assert_eq!((value("Type"), value("Exec"), value("Icon")), ("Application", PACKAGE, PACKAGE));
    assert_eq!(value("Name"), "Bedrock Batch Studio");
    for size in ["32x32", "128x128", "256x256", "512x512"] {
        let icon = root.path().join(format!("usr/share/icons/hicolor/{size}/apps/{PACKAGE}.png"));
        let bytes = std::fs::read(&icon).unwrap_or_else(|e| panic!("{}: {e}", icon.display()));
        assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", icon.display());
    }

    // The CLI runs from where the package put it.
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(&cli).arg("--version").env("BEDROCK_BATCH_HOME", home.path()).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), format!("bedrock-batch {version}"));

    // The installed app: launch, the sandbox, a sheet.
    let driver = Driver::start(home.path());
    let shots = fresh_screenshot_dir("installed");
    let mut session = Session::start(&driver, &app, &shots);
    session.find("#connect-sandbox");
    session.screenshot("launched");
    session.click("#connect-sandbox");
    session.wait_for_text("#sandbox-badge", "SANDBOX");
    let sample = samples().join("reviews.csv");
    session.type_into("#sheet-path", &sample.to_string_lossy());
    session.click("#sheet-load");
    session.wait_for_text("#sheet-summary", "120 rows");
    session.screenshot("sheet-opened");

    // Help → About: the version, the licence and where the data lives.
    session.click("#help-menu");
    session.click("#about");
    assert_eq!(session.text("#about-version"), version);
    assert_eq!(session.text("#about-licence"), "MIT OR Apache-2.0");
    assert_eq!(session.text("#about-data"), home.path().to_string_lossy());
    let log_file = session.text("#about-log");
    assert!(
        log_file.starts_with(&home.path().join("logs").join("studio.").to_string_lossy().into_owned()),
        "{log_file}"
    );
    session.screenshot("about");
    session.click("#about-close");

    // Help → Copy diagnostics: the text to send, with the connection and the log's place.
    session.click("#help-menu");
    session.click("#copy-diagnostics");
    // Copied (the text was asked for when the menu opened, so the click itself copies), and shown.
    session.wait_for_text("#diagnostics-status", "Copied to the clipboard");
    let diagnostics = session.value("#diagnostics-text");
    assert!(diagnostics.contains("Connection: offline sandbox"), "{diagnostics}");
    assert!(diagnostics.contains(&format!("Bedrock Batch Studio {version}")), "{diagnostics}");
    assert!(diagnostics.contains(&format!("Log file: {log_file}")), "{diagnostics}");
    session.screenshot("diagnostics");
    drop(session);
    drop(driver);

    // The app logged its start and when its window was ready.
    let log = std::fs::read_to_string(&log_file).unwrap();
    assert!(log.contains("Bedrock Batch Studio started") && log.contains("window ready"), "{log}");
}
