//! A coupon printed as a voucher: A6 for an office printer, or a strip for a 58 mm or 80 mm
//! receipt printer. One column, centred, top to bottom: the shop, what the coupon says, what it
//! gives, whom it is for, its QR code (vectors, with its quiet zone), its last day, and "good
//! for one use". The texts come already in the member's language (`counter::coupons`).

use printpdf::{Mm, PdfDocument, PdfPage, PdfSaveOptions};

use crate::cards::pdf::{fit, qr_for, Area, Canvas, Fonts, Metrics, BRAND, INK, QUIET_MODULES};
use crate::error::{CoreError, Result};

/// Paper a voucher is printed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoucherFormat {
    /// 105 × 148 mm, for an office printer (four to an A4 sheet with the printer's "4 pages
    /// per sheet").
    A6,
    /// A strip of 58 mm receipt paper, as long as the voucher needs.
    Strip58,
    /// A strip of 80 mm receipt paper.
    Strip80,
}

impl std::str::FromStr for VoucherFormat {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<VoucherFormat> {
        match s {
            "a6" => Ok(VoucherFormat::A6),
            "strip-58" => Ok(VoucherFormat::Strip58),
            "strip-80" => Ok(VoucherFormat::Strip80),
            _ => Err(CoreError::InvalidLayout),
        }
    }
}

/// The paper's measurements: width, a fixed height (A6) or none (a strip is cut after the
/// voucher), the blank kept at every edge (receipt printers do not print their outer few mm),
/// and the widest the QR symbol gets.
struct Paper {
    width: f32,
    height: Option<f32>,
    margin: f32,
    qr_max: f32,
    /// Sizes in points: (headline, offer, other lines).
    sizes: (f32, f32, f32),
}

impl VoucherFormat {
    fn paper(self) -> Paper {
        match self {
            VoucherFormat::A6 => Paper {
                width: 105.0,
                height: Some(148.0),
                margin: 8.0,
                qr_max: 42.0,
                sizes: (20.0, 16.0, 10.0),
            },
            VoucherFormat::Strip58 => Paper {
                width: 58.0,
                height: None,
                margin: 4.0,
                qr_max: 34.0,
                sizes: (14.0, 12.0, 8.0),
            },
            VoucherFormat::Strip80 => Paper {
                width: 80.0,
                height: None,
                margin: 5.0,
                qr_max: 40.0,
                sizes: (16.0, 13.0, 9.0),
            },
        }
    }
}

/// Everything printed on a voucher, already in its reader's language.
#[derive(Clone, Debug)]
pub struct VoucherFace {
    pub shop: String,
    /// What the coupon says, in the shop's words.
    pub headline: String,
    /// What it gives: "One item free", "€5.00 off".
    pub offer: String,
    /// "For Claire Dubois", when it is a member's.
    pub member: Option<String>,
    /// "Good until 22/02/2027" or "No expiry".
    pub until: String,
    /// "Only in the shop that gave it", when it is.
    pub only_here: Option<String>,
    /// "Good for one use." and the coupon's id, for whoever checks it by hand.
    pub fine_print: String,
    /// The QR payload (`TC1…`).
    pub token: String,
}

/// Between the lines of one wrapped text.
const LEADING_MM: f32 = 0.6;
/// Between the QR code's quiet zone and the texts above and below it.
const QR_GAP_MM: f32 = 1.0;

/// One line to set: its text, size, weight and colour, and the space kept above it.
struct Line {
    text: String,
    size: f32,
    bold: bool,
    colour: (f32, f32, f32),
    space_above: f32,
}

/// A line placed: its left end at `x` on the baseline, and the box its font gives it.
struct Placed {
    line: Line,
    x: f32,
    baseline: f32,
    area: Area,
}

/// Where everything of a voucher goes, on a page `width` × `height` mm.
struct VoucherLayout {
    width: f32,
    height: f32,
    margin: f32,
    texts: Vec<Placed>,
    qr_symbol: Area,
    qr_zone: Area,
}

/// The voucher's column, top to bottom, for a QR code `modules` wide.
fn layout(
    metrics: &Metrics,
    face: &VoucherFace,
    modules: usize,
    format: VoucherFormat,
) -> VoucherLayout {
    let paper = format.paper();
    let column = paper.width - 2.0 * paper.margin;
    let (headline_pt, offer_pt, small_pt) = paper.sizes;

    // Wrapped to the column: a long text shrinks, then breaks (as a card's name does).
    let lines_of = |text: &str, size: f32, bold: bool, colour, space_above: f32, max_lines| {
        let fitted = fit(metrics, text, bold, (size, size * 0.7), column, max_lines);
        fitted
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, text)| Line {
                text,
                size: fitted.size,
                bold,
                colour,
                // Between a text's own lines, a little air: line boxes that touch read as one.
                space_above: if i == 0 { space_above } else { LEADING_MM },
            })
            .collect::<Vec<_>>()
    };
    let mut above = Vec::new();
    above.extend(lines_of(&face.shop, small_pt + 1.0, true, BRAND, 0.0, 1));
    above.extend(lines_of(&face.headline, headline_pt, true, INK, 4.0, 3));
    above.extend(lines_of(&face.offer, offer_pt, true, BRAND, 2.0, 2));
    if let Some(member) = &face.member {
        above.extend(lines_of(member, small_pt, false, INK, 2.0, 2));
    }
    let mut below = Vec::new();
    below.extend(lines_of(&face.until, small_pt, true, INK, 0.0, 2));
    if let Some(only) = &face.only_here {
        below.extend(lines_of(only, small_pt, false, INK, 1.0, 2));
    }
    below.extend(lines_of(
        &face.fine_print,
        small_pt - 1.0,
        false,
        INK,
        2.0,
        3,
    ));

    let modules = modules as f32;
    let zone_modules = modules + 2.0 * QUIET_MODULES as f32;
    let symbol_mm = paper.qr_max.min(column * modules / zone_modules);
    let zone_mm = symbol_mm * zone_modules / modules;

    // Heights: each line is its ascent and descent plus the space above it.
    let line_height =
        |l: &Line| l.space_above + metrics.ascent(l.size, l.bold) + metrics.descent(l.size, l.bold);
    let content = above.iter().map(line_height).sum::<f32>()
        + QR_GAP_MM
        + zone_mm
        + QR_GAP_MM
        + below.iter().map(line_height).sum::<f32>();
    let height = paper.height.unwrap_or(content + 2.0 * paper.margin);

    // A strip ends where the voucher does; on A6 the column sits in the middle of the page.
    let mut cursor = match paper.height {
        Some(fixed) => (fixed + content) / 2.0,
        None => height - paper.margin,
    };
    let mut texts = Vec::new();
    let mut place = |cursor: &mut f32, line: Line| {
        let ascent = metrics.ascent(line.size, line.bold);
        let descent = metrics.descent(line.size, line.bold);
        *cursor -= line.space_above + ascent;
        let width = metrics.width(&line.text, line.size, line.bold);
        let x = (paper.width - width) / 2.0;
        texts.push(Placed {
            area: Area {
                x,
                y: *cursor - descent,
                w: width,
                h: ascent + descent,
            },
            x,
            baseline: *cursor,
            line,
        });
        *cursor -= descent;
    };
    for line in above {
        place(&mut cursor, line);
    }
    cursor -= QR_GAP_MM;
    let qr_zone = Area {
        x: (paper.width - zone_mm) / 2.0,
        y: cursor - zone_mm,
        w: zone_mm,
        h: zone_mm,
    };
    let quiet = (zone_mm - symbol_mm) / 2.0;
    let qr_symbol = Area {
        x: qr_zone.x + quiet,
        y: qr_zone.y + quiet,
        w: symbol_mm,
        h: symbol_mm,
    };
    cursor -= zone_mm + QR_GAP_MM;
    for line in below {
        place(&mut cursor, line);
    }
    VoucherLayout {
        width: paper.width,
        height,
        margin: paper.margin,
        texts,
        qr_symbol,
        qr_zone,
    }
}

/// The voucher as a one-page PDF.
pub fn voucher_pdf(face: &VoucherFace, format: VoucherFormat) -> Result<Vec<u8>> {
    let mut doc = PdfDocument::new(&face.headline);
    let used = [
        &face.shop,
        &face.headline,
        &face.offer,
        &face.until,
        &face.fine_print,
    ];
    let fonts = Fonts::load(
        &mut doc,
        used.into_iter()
            .chain(&face.member)
            .chain(&face.only_here)
            .map(String::as_str),
    )?;
    let qr = qr_for(&face.token)?;
    let layout = layout(&fonts.metrics, face, qr.width(), format);
    debug_assert!(
        layout
            .texts
            .iter()
            .all(|t| !t.area.intersects(&layout.qr_zone) && t.area.y >= layout.margin - 0.01),
        "a voucher's text runs into its QR code or off its paper"
    );
    let mut canvas = Canvas::new(&fonts);
    canvas.qr(&qr, layout.qr_symbol, layout.qr_zone);
    for placed in &layout.texts {
        canvas.fill(placed.line.colour);
        canvas.text(
            &placed.line.text,
            placed.x,
            placed.baseline,
            placed.line.size,
            placed.line.bold,
        );
    }
    let mut warnings = Vec::new();
    Ok(doc
        .with_pages(vec![PdfPage::new(
            Mm(layout.width),
            Mm(layout.height),
            canvas.ops,
        )])
        .save(&PdfSaveOptions::default(), &mut warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> VoucherFace {
        VoucherFace {
            shop: "Café Lumière".into(),
            headline: "Un croissant au beurre, avec nos excuses pour l'attente de ce matin".into(),
            offer: "Un article offert".into(),
            member: Some("Pour Claire Dubois".into()),
            until: "Valable jusqu'au 22/02/2027".into(),
            only_here: Some("Valable uniquement dans la boutique qui l'a donné".into()),
            fine_print: "Valable une fois. Bon 01A20EF0".into(),
            token: "TC19301M87F1X4VETBTG066KZJ7G1XEF00012HH00000000000000000000000000FJHRM98TXHVKDRR9PEH7".into(),
        }
    }

    /// A receipt printer gets a few tens of KB, not two whole font files (700 KB): only the
    /// glyphs the voucher uses are embedded.
    #[test]
    fn a_voucher_embeds_only_the_glyphs_it_uses() {
        let pdf = voucher_pdf(&face(), VoucherFormat::Strip80).unwrap();
        assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
        assert!(pdf.starts_with(b"%PDF"));
    }

    #[rstest::rstest]
    fn nothing_overlaps_the_qr_code_or_leaves_the_paper(
        #[values(VoucherFormat::A6, VoucherFormat::Strip58, VoucherFormat::Strip80)]
        format: VoucherFormat,
        #[values(false, true)] long: bool,
    ) {
        let metrics = Metrics::load().unwrap();
        let mut face = face();
        if long {
            face.headline = "Ein Stück Schwarzwälder Kirschtorte nach Wahl ".repeat(4);
            face.member = Some(format!("Pour {}", "Marie-Antoinette ".repeat(5)));
        } else {
            face.member = None;
            face.only_here = None;
        }
        let modules = qr_for(&face.token).unwrap().width();
        assert_eq!(
            modules, 33,
            "version 4: 85 alphanumeric characters at level M"
        );
        let layout = layout(&metrics, &face, modules, format);
        let paper = Area {
            x: layout.margin - 0.01,
            y: layout.margin - 0.01,
            w: layout.width - 2.0 * layout.margin + 0.02,
            h: layout.height - 2.0 * layout.margin + 0.02,
        };
        assert!(paper.contains(&layout.qr_zone), "{format:?}");
        assert!(
            layout.qr_symbol.w >= 30.0,
            "{format:?}: modules of at least 0.9 mm"
        );
        for (i, placed) in layout.texts.iter().enumerate() {
            let text = &placed.line.text;
            assert!(
                paper.contains(&placed.area),
                "{format:?}: {text} leaves the paper"
            );
            assert!(
                !placed.area.intersects(&layout.qr_zone),
                "{format:?}: {text} on the QR"
            );
            for other in &layout.texts[i + 1..] {
                assert!(
                    !placed.area.intersects(&other.area),
                    "{format:?}: {text} / {}",
                    other.line.text
                );
            }
        }
        if format == VoucherFormat::A6 {
            assert_eq!(layout.height, 148.0);
        }
    }

    #[test]
    fn a_format_is_named_as_the_cli_and_the_app_name_it() {
        assert!(matches!("a6".parse(), Ok(VoucherFormat::A6)));
        assert!(matches!("strip-58".parse(), Ok(VoucherFormat::Strip58)));
        assert!("a5".parse::<VoucherFormat>().is_err());
    }
}
