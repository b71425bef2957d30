//! HTTPS: the hub serves TLS itself from a certificate and key; a till trusts a self-signed
//! hub certificate only when told to, and never talks plain HTTP to another machine.

use std::path::Path;
use std::process::Command;

use tessera_sync_tests::{Hub, Till};

/// A self-signed server certificate for 127.0.0.1 and its key, made with openssl the way the
/// README says (CA:FALSE: rustls refuses a CA certificate as the server's own).
fn self_signed(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("hub.pem"), dir.join("hub.key"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=tessera-hub"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl (scripts/setup-system.sh installs it)");
    assert!(made.status.success(), "openssl: {made:?}");
    (cert, key)
}

#[tokio::test]
async fn a_till_syncs_over_https_with_a_certificate_it_was_told_to_trust() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let hub = Hub::start_tls(dir.path(), &cert, &key);
    assert!(hub.url.starts_with("https://127.0.0.1:"), "{}", hub.url);
    let (token_a, _) = hub.add_device("Café Lumière");
    let (token_b, _) = hub.add_device("Café de la Gare");

    let a = Till::new(dir.path(), "a");
    a.set_up("Café Lumière");
    a.add_coffee_program(9);
    let claire = a.enroll("Claire Dubois");
    let trust = cert.display().to_string();
    a.run(&[
        "join", "--hub", &hub.url, "--token", &token_a, "--trust", &trust,
    ]);
    // Later syncs keep trusting it (the till kept the certificate).
    a.punch(&claire, 1);
    assert_eq!(a.sync()["pushed_events"], 1);

    // Without being told, a till refuses the self-signed hub, and says why.
    let b = Till::new(dir.path(), "b");
    assert_eq!(
        b.refused(&["join", "--hub", &hub.url, "--token", &token_b]),
        "hub_certificate_untrusted"
    );
    b.run(&[
        "join", "--hub", &hub.url, "--token", &token_b, "--trust", &trust,
    ]);
    assert_eq!(b.run(&["scan", &claire])["member"]["name"], "Claire Dubois");
}

#[test]
fn a_till_never_talks_plain_http_to_another_machine() {
    let dir = tempfile::tempdir().unwrap();
    let till = Till::new(dir.path(), "a");
    for hub in ["http://192.0.2.10:7878", "http://hub.example.com"] {
        assert_eq!(
            till.refused(&["join", "--hub", hub, "--token", "tsh1_x"]),
            "insecure_hub_url"
        );
    }
    assert_eq!(
        till.refused(&[
            "join",
            "--hub",
            "ftp://hub.example.com",
            "--token",
            "tsh1_x"
        ]),
        "invalid_hub_url"
    );
}
