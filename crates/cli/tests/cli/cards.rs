//! Loyalty cards through the real binary: printed PDFs rendered at 300 dpi with pdftoppm, every
//! QR decoded with zbarimg and scanned back with `tessera scan`; revocation and reissue; forged,
//! truncated and foreign tokens; manager-only commands.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::common::{add_cashier, Till};

const MANAGER: [&str; 4] = ["--staff", "Ana", "--pin", "1234"];

/// Names with every letter the fonts must carry, in each member's language.
const MEMBERS: &[(&str, &str)] = &[
    ("Ștefan Țurcanu", "ro"),
    ("Fekete Őrs", "hu"),
    ("Szűcs Ágnes", "hu"),
    ("Élodie Lefèvre", "fr"),
    ("Niccolò Àlberti", "it"),
    ("Emma Walsh", "en"),
    ("Răzvan Păun", "ro"),
    ("Gergő Kiss", "hu"),
    ("Chloé Dubois", "fr"),
    ("Giulia Rossi", "it"),
    ("Oliver Bennett", "en"),
    ("Andreea Popescu", "ro"),
];

fn as_manager<'a>(args: &[&'a str]) -> Vec<&'a str> {
    MANAGER
        .iter()
        .copied()
        .chain(args.iter().copied())
        .collect()
}

/// A shop with the members above; returns member id → name.
fn shop_with_members(till: &Till) -> BTreeMap<String, String> {
    till.with_shop();
    let mut members = BTreeMap::new();
    for (name, language) in MEMBERS {
        let member = till.ok(&["member", "add", "--name", name, "--language", language]);
        members.insert(
            member["id"].as_str().unwrap().to_string(),
            (*name).to_string(),
        );
    }
    // with_shop's own member, Claire Dubois
    for m in till.ok(&["member", "find", "Claire"]).as_array().unwrap() {
        members.insert(
            m["id"].as_str().unwrap().to_string(),
            "Claire Dubois".into(),
        );
    }
    members
}

pub(crate) fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is not installed ({e}): `make test` installs it"));
    assert!(
        output.status.success() || program == "zbarimg",
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every QR code zbarimg finds in `png`.
pub(crate) fn qr_codes(png: &Path) -> Vec<String> {
    run("zbarimg", &["-q", "--raw", png.to_str().unwrap()])
        .lines()
        .map(str::to_string)
        .collect()
}

/// Renders page `page` of `pdf` at 300 dpi, optionally only the rectangle (x, y, w, h) in mm
/// from the top-left corner.
pub(crate) fn render(
    pdf: &Path,
    page: usize,
    crop_mm: Option<(f32, f32, f32, f32)>,
    out: &Path,
) -> std::path::PathBuf {
    render_as("png", pdf, page, crop_mm, out)
}

/// `render` to a PNG or, with `ppm`, to raw RGB pixels.
fn render_as(
    format: &str,
    pdf: &Path,
    page: usize,
    crop_mm: Option<(f32, f32, f32, f32)>,
    out: &Path,
) -> std::path::PathBuf {
    let px = |mm: f32| ((mm / 25.4) * 300.0).round().to_string();
    let page = page.to_string();
    let mut args = vec!["-r", "300", "-singlefile", "-f", &page, "-l", &page];
    if format == "png" {
        args.push("-png");
    }
    let crop;
    if let Some((x, y, w, h)) = crop_mm {
        crop = [px(x), px(y), px(w), px(h)];
        args.extend([
            "-x", &crop[0], "-y", &crop[1], "-W", &crop[2], "-H", &crop[3],
        ]);
    }
    let stem = out.to_str().unwrap();
    args.extend([pdf.to_str().unwrap(), stem]);
    run("pdftoppm", &args);
    out.with_extension(format)
}

fn page_count(pdf: &Path) -> usize {
    run("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

/// Scans each token with the CLI and returns the member id it finds.
fn scan_all(till: &Till, tokens: &[String]) -> Vec<String> {
    tokens
        .iter()
        .map(|token| {
            let scan = till.ok(&["scan", token]);
            scan["member"]["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn every_qr_of_a_cr80_pdf_scans_to_its_member() {
    let till = Till::new();
    let members = shop_with_members(&till);
    let pdf = till.dir.path().join("cards.pdf");
    let written = till.ok(&as_manager(&[
        "cards",
        "pdf",
        "--out",
        pdf.to_str().unwrap(),
    ]));
    assert_eq!(written["count"], members.len());
    assert_eq!(page_count(&pdf), members.len(), "one card per page");

    let mut found = Vec::new();
    for page in 1..=members.len() {
        let png = render(
            &pdf,
            page,
            None,
            &till.dir.path().join(format!("cr80-{page}")),
        );
        let codes = qr_codes(&png);
        assert_eq!(codes.len(), 1, "page {page}: {codes:?}");
        assert!(codes[0].starts_with("TS1"), "{}", codes[0]);
        found.extend(codes);
    }
    let scanned = scan_all(&till, &found);
    let mut expected: Vec<&String> = members.keys().collect();
    let mut got: Vec<&String> = scanned.iter().collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "each card scans to its own member");

    // The page of card i carries member i's name and human code, all letters intact.
    let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    for (name, _) in MEMBERS {
        assert!(
            text.contains(name),
            "{name} is missing or mangled in:\n{text}"
        );
    }
    for card in written["cards"].as_array().unwrap() {
        let code = card["code"].as_str().unwrap();
        let grouped = format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]);
        assert!(text.contains(&grouped), "{grouped} is not printed");
    }
    assert!(
        text.contains("Arată acest card"),
        "Romanian members get the Romanian line"
    );
    assert!(
        text.contains("Mutasd fel ezt a kártyát"),
        "Hungarian members get the Hungarian line"
    );
}

#[test]
fn every_card_of_an_a4_sheet_scans_to_its_member() {
    let till = Till::new();
    let members = shop_with_members(&till);
    let pdf = till.dir.path().join("sheet.pdf");
    till.ok(&as_manager(&[
        "cards",
        "pdf",
        "--out",
        pdf.to_str().unwrap(),
        "--layout",
        "a4-10",
        "--language",
        "fr",
    ]));
    assert_eq!(page_count(&pdf), members.len().div_ceil(10));

    // Each business-card blank (85 × 54 mm, 2 × 5, centred on A4) decoded on its own.
    let (left, top) = ((210.0 - 170.0) / 2.0, (297.0 - 270.0) / 2.0);
    let mut found = Vec::new();
    for slot in 0..members.len() {
        let (page, i) = (slot / 10 + 1, slot % 10);
        let (x, y) = (left + (i % 2) as f32 * 85.0, top + (i / 2) as f32 * 54.0);
        let png = render(
            &pdf,
            page,
            Some((x, y, 85.0, 54.0)),
            &till.dir.path().join(format!("slot-{slot}")),
        );
        let codes = qr_codes(&png);
        assert_eq!(codes.len(), 1, "slot {slot} on page {page}: {codes:?}");
        found.extend(codes);
    }
    let scanned = scan_all(&till, &found);
    assert_eq!(
        scanned
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        members.len()
    );
    let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(
        text.contains("Présentez cette carte"),
        "--language fr prints every card in French"
    );
}

#[test]
fn the_test_page_has_a_ruler_and_a_scannable_sample() {
    let till = Till::new();
    till.with_shop();
    let pdf = till.dir.path().join("test.pdf");
    till.ok(&as_manager(&[
        "cards",
        "test-page",
        "--out",
        pdf.to_str().unwrap(),
    ]));
    let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("100 mm"), "{text}");
    let png = render(&pdf, 1, None, &till.dir.path().join("test"));
    let codes = qr_codes(&png);
    assert_eq!(codes.len(), 1);
    assert!(codes[0].starts_with("TS1"));
}

fn token_of(till: &Till, code: &str) -> String {
    let card = till.ok(&as_manager(&["cards", "show", code]));
    card["token"].as_str().unwrap().to_string()
}

#[test]
fn a_token_scans_like_the_typed_code() {
    let till = Till::new();
    let code = till.with_shop();
    let token = token_of(&till, &code);
    let by_token = till.ok(&["scan", &token]);
    let by_code = till.ok(&["scan", &code]);
    assert_eq!(by_token, by_code);
    // Punching by token works too: every input goes through the same decoding.
    assert_eq!(till.ok(&["punch", &token])["card"]["punches"], 1);
}

#[test]
fn forged_truncated_and_foreign_tokens_are_refused_with_their_own_codes() {
    let till = Till::new();
    let code = till.with_shop();
    let token = token_of(&till, &code);

    let mut altered: Vec<char> = token.chars().collect();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == '0' { '1' } else { '0' };
    let altered: String = altered.into_iter().collect();
    assert_eq!(till.run(&["scan", &altered]).error_code(), "forged_card");
    assert_eq!(
        till.run(&["scan", &token[..25]]).error_code(),
        "truncated_card"
    );

    let other_chain = Till::new();
    let foreign_code = other_chain.with_shop();
    let foreign = token_of(&other_chain, &foreign_code);
    assert_eq!(
        till.run(&["scan", &foreign]).error_code(),
        "unknown_card_key"
    );
}

#[test]
fn a_lost_card_is_revoked_and_reissued_and_the_member_keeps_their_history() {
    let till = Till::new();
    let old = till.with_shop();
    till.ok(&["punch", &old, "--count", "3"]);
    let old_token = token_of(&till, &old);

    let revoked = till.ok(&as_manager(&["cards", "revoke", &old]));
    assert_eq!(revoked["code"], old.as_str());
    assert_eq!(till.run(&["scan", &old]).error_code(), "card_revoked");

    let new_card = till.ok(&as_manager(&["cards", "reissue", &old]));
    let new = new_card["code"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(new_card["token"].as_str().unwrap().starts_with("TS1"));

    let refused = till.run(&["scan", &old_token]);
    assert_eq!(refused.error_code(), "card_replaced");
    assert!(refused.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("replaced"));
    assert_eq!(till.run(&["punch", &old]).error_code(), "card_replaced");

    let scan = till.ok(&["scan", &new]);
    assert_eq!(
        scan["cards"][0]["punches"], 3,
        "the stamps stay with the member"
    );
    let history = till.ok(&["history", &new]);
    assert_eq!(
        history.as_array().unwrap().len(),
        2,
        "enrolment and the punch of 3"
    );
    assert_eq!(
        scan_all(&till, &[new_card["token"].as_str().unwrap().to_string()]).len(),
        1
    );
}

#[test]
fn only_a_manager_with_a_pin_prints_revokes_and_reissues() {
    let till = Till::new();
    let code = till.with_shop();
    add_cashier(&till);
    let before = till.footprint();
    let pdf = till.dir.path().join("x.pdf");
    let pdf = pdf.to_str().unwrap();
    for args in [
        vec!["cards", "pdf", "--out", pdf],
        vec!["cards", "revoke", &code],
        vec!["cards", "reissue", &code],
        vec!["cards", "test-page", "--out", pdf],
    ] {
        let nobody = [("TESSERA_STAFF", ""), ("TESSERA_PIN", "")];
        assert_eq!(
            till.run_with_env(&args, &nobody).error_code(),
            "sign_in_required",
            "{args:?}"
        );
        let mut as_cashier = vec!["--staff", "Sam", "--pin", "0000"];
        as_cashier.extend(&args);
        assert_eq!(
            till.run(&as_cashier).error_code(),
            "manager_only",
            "{args:?}"
        );
    }
    assert!(!Path::new(pdf).exists());
    assert_eq!(
        till.footprint(),
        before,
        "a refused card command wrote something"
    );
    assert!(
        till.ok(&["scan", &code])["member"].is_object(),
        "the card still works"
    );
}

/// A box from the top-left corner of a page or picture, in points or in pixels as said:
/// (left, top, right, bottom).
type Rect = (f32, f32, f32, f32);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// A part of a page rendered at 300 dpi, as pdftoppm's PPM (RGB) gives it.
struct Raster {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
    /// Where its top-left pixel is on the page, in points.
    origin_pt: (f32, f32),
}

impl Raster {
    fn read(ppm: &Path, origin_mm: (f32, f32)) -> Raster {
        let bytes = std::fs::read(ppm).unwrap();
        // "P6", width, height, 255, each followed by one whitespace byte, then the pixels.
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            let start = at;
            while !bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
            at += 1;
        }
        assert_eq!(fields[0], "P6");
        // pdftoppm crops at whole pixels.
        let snapped_pt = |mm: f32| ((mm / 25.4) * 300.0).round() * 72.0 / 300.0;
        Raster {
            width: fields[1].parse().unwrap(),
            height: fields[2].parse().unwrap(),
            rgb: bytes[at..].to_vec(),
            origin_pt: (snapped_pt(origin_mm.0), snapped_pt(origin_mm.1)),
        }
    }

    fn pixel(&self, x: usize, y: usize) -> &[u8] {
        let i = 3 * (y * self.width + x);
        &self.rgb[i..i + 3]
    }

    /// Black: only QR modules are drawn black; text is in the cards' dark green ink or lighter.
    fn black(&self, x: usize, y: usize) -> bool {
        self.pixel(x, y).iter().all(|&c| c <= 16)
    }

    fn white(&self, x: usize, y: usize) -> bool {
        self.pixel(x, y).iter().all(|&c| c >= 250)
    }

    /// The pixel box (left, top, right, bottom; right and bottom excluded) of the black pixels.
    fn black_box(&self) -> (usize, usize, usize, usize) {
        let (mut left, mut top, mut right, mut bottom) = (usize::MAX, usize::MAX, 0, 0);
        for y in 0..self.height {
            for x in (0..self.width).filter(|&x| self.black(x, y)) {
                (left, top) = (left.min(x), top.min(y));
                (right, bottom) = (right.max(x + 1), bottom.max(y + 1));
            }
        }
        assert!(left < right, "no QR in the picture");
        (left, top, right, bottom)
    }

    /// A box in this picture's pixels, in points on the page.
    fn to_pt(&self, (left, top, right, bottom): Rect) -> Rect {
        let pt = |px: f32| px * 72.0 / 300.0;
        let (x, y) = self.origin_pt;
        (x + pt(left), y + pt(top), x + pt(right), y + pt(bottom))
    }
}

/// The QR symbol as printed, found in `raster`, and its quiet zone of 4 modules, in pixels
/// (left, top, right, bottom). The module is measured, not assumed: the top edge of the top-left
/// finder pattern is one black run of 7 modules.
fn qr_and_quiet_zone(raster: &Raster) -> (Rect, Rect) {
    let (left, top, right, bottom) = raster.black_box();
    let row = top + 2;
    let run = (left..right).take_while(|&x| raster.black(x, row)).count();
    let module = run as f32 / 7.0;
    // One pixel more each way: the symbol's anti-aliased edge is not black.
    let symbol = (
        left as f32 - 1.0,
        top as f32 - 1.0,
        right as f32 + 1.0,
        bottom as f32 + 1.0,
    );
    let quiet = 4.0 * module;
    let zone = (
        symbol.0 - quiet,
        symbol.1 - quiet,
        symbol.2 + quiet,
        symbol.3 + quiet,
    );
    (symbol, zone)
}

/// The words pdftotext finds on page 1 of `pdf`, each with the box of its font (ascender to
/// descender), in points.
fn words(pdf: &Path) -> Vec<(String, Rect)> {
    let html = run(
        "pdftotext",
        &["-bbox", "-f", "1", "-l", "1", pdf.to_str().unwrap(), "-"],
    );
    html.lines()
        .filter_map(|line| line.trim().strip_prefix("<word "))
        .map(|word| {
            let number = |name: &str| -> f32 {
                let value = word.split_once(&format!("{name}=\"")).expect(name).1;
                value.split_once('"').unwrap().0.parse().unwrap()
            };
            let text = word.split_once('>').unwrap().1.trim_end_matches("</word>");
            let area = (
                number("xMin"),
                number("yMin"),
                number("xMax"),
                number("yMax"),
            );
            (text.to_string(), area)
        })
        .collect()
}

/// The issue's case: a 60-character name used to run over the QR and make it unreadable. Now it
/// shrinks, wraps and is cut; the QR scans, no word's box on the page enters its quiet zone, and
/// the quiet zone is blank paper.
#[test]
fn a_sixty_letter_name_stays_out_of_the_qr_and_its_quiet_zone() {
    let till = Till::new();
    till.with_shop();
    let name = "Anne-Sophie Ștefănescu-Țurcanu de Montmorency-Laval Szőke Űr";
    assert_eq!(name.chars().count(), 60);
    let member = till.ok(&["member", "add", "--name", name, "--language", "ro"]);
    let id = member["id"].as_str().unwrap();
    // The card: a whole CR80 page, or the first blank of an A4 sheet (crop marks lie outside).
    let a4_first_blank = ((210.0 - 170.0) / 2.0, (297.0 - 270.0) / 2.0, 85.0, 54.0);
    for (layout, crop) in [("cr80", None), ("a4-10", Some(a4_first_blank))] {
        let pdf = till.dir.path().join(format!("{layout}.pdf"));
        let written = till.ok(&as_manager(&[
            "cards",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
            "--layout",
            layout,
            "--members",
            id,
        ]));
        let token = written["cards"][0]["token"].as_str().unwrap();

        let ppm = render_as("ppm", &pdf, 1, crop, &till.dir.path().join(layout));
        let codes = qr_codes(&ppm);
        assert_eq!(codes, [token], "{layout}: the QR scans to the card printed");
        assert_eq!(scan_all(&till, &codes), [id]);

        let origin = crop.map_or((0.0, 0.0), |(x, y, _, _)| (x, y));
        let raster = Raster::read(&ppm, origin);
        let (symbol, zone) = qr_and_quiet_zone(&raster);
        let size_mm = (symbol.2 - symbol.0 - 2.0) / 300.0 * 25.4;
        assert!(size_mm >= 18.0, "{layout}: a {size_mm} mm QR");
        let (width, height) = (raster.width as f32, raster.height as f32);
        assert!(
            zone.0 >= 0.0 && zone.1 >= 0.0 && zone.2 <= width && zone.3 <= height,
            "{layout}: the quiet zone {zone:?} leaves the card ({width} × {height} px)"
        );
        // Around the symbol, the quiet zone is blank paper: no ink of any kind.
        for y in zone.1 as usize..zone.3 as usize {
            for x in zone.0 as usize..zone.2 as usize {
                let in_symbol = (symbol.0..symbol.2).contains(&(x as f32))
                    && (symbol.1..symbol.3).contains(&(y as f32));
                if !in_symbol {
                    assert!(raster.white(x, y), "{layout}: ink at ({x}, {y}) px");
                }
            }
        }

        let zone_pt = raster.to_pt(zone);
        let words = words(&pdf);
        let text: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        assert!(text.contains(&"Anne-Sophie"), "{layout}: {text:?}");
        assert!(
            text.iter().any(|w| w.ends_with('…')),
            "{layout}: the name is cut with an ellipsis: {text:?}"
        );
        let code = written["cards"][0]["code"].as_str().unwrap();
        let grouped = format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]);
        assert!(text.contains(&grouped.as_str()), "{layout}: {text:?}");
        for (word, area) in &words {
            assert!(
                !overlaps(*area, zone_pt),
                "{layout}: {word:?} at {area:?} pt is inside the QR's quiet zone {zone_pt:?}"
            );
        }
    }
}
