//! Printed loyalty cards as PDF (printpdf + qrcode): CR80 cards one per page for card printers,
//! A4 sheets of 10 business-card blanks (2 × 5) with crop marks for office printers, and a test
//! page with a ruler to check the printer's scaling. QR codes are vectors with a 4-module quiet
//! zone; names are set in an embedded DejaVu Sans, which has every letter of our five languages.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};
use qrcode::{EcLevel, QrCode};

use crate::error::{CoreError, Result};

const REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// ISO/IEC 7810 ID-1 (CR80), the size of a bank card.
pub const CR80: (f32, f32) = (85.60, 53.98);
/// Standard business-card blanks on A4: 2 columns × 5 rows of 85 × 54 mm, no gutter.
const A4: (f32, f32) = (210.0, 297.0);
const BLANK: (f32, f32) = (85.0, 54.0);
const SHEET_COLUMNS: usize = 2;
const SHEET_ROWS: usize = 5;
/// The printed QR symbol (without its quiet zone) is at least this wide: at version 2 its modules
/// are then 0.88 mm, well above the 0.4 mm a counter scanner needs.
pub const QR_SYMBOL_MM: f32 = 22.0;
const QUIET_MODULES: usize = 4;

/// How cards are laid out on paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sheet {
    /// One CR80 card per page, for card printers.
    Cr80,
    /// Ten cards per A4 page, with crop marks, for office printers.
    A4Ten,
}

impl std::str::FromStr for Sheet {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Sheet> {
        match s {
            "cr80" => Ok(Sheet::Cr80),
            "a4-10" => Ok(Sheet::A4Ten),
            _ => Err(CoreError::InvalidLayout),
        }
    }
}

/// Everything printed on one card, already in the member's language.
#[derive(Clone, Debug)]
pub struct CardFace {
    pub shop: String,
    pub member_name: String,
    /// Grouped for reading: `7K3M-Q9PX-R`.
    pub code: String,
    /// The QR payload (`TS1…`).
    pub token: String,
    pub tagline: String,
}

/// Writes a finished PDF through a temporary file and a rename: a full disk or a crash never
/// leaves half a file where the manager expects their cards.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let map = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::StorageFull => CoreError::DiskFull,
        _ => CoreError::StoreUnwritable {
            path: path.display().to_string(),
        },
    };
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(map)?;
    std::fs::rename(&partial, path).map_err(map)
}

/// The QR matrix of a token at error-correction level M (the smallest version that fits).
pub fn qr_for(token: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(token.as_bytes(), EcLevel::M)
        .map_err(|e| CoreError::Storage(format!("QR code: {e}")))
}

struct Fonts {
    regular: (FontId, ParsedFont),
    bold: (FontId, ParsedFont),
}

impl Fonts {
    fn load(doc: &mut PdfDocument) -> Result<Fonts> {
        let mut load = |bytes: &[u8]| {
            let mut warnings = Vec::new();
            let font = ParsedFont::from_bytes(bytes, 0, &mut warnings)
                .ok_or_else(|| CoreError::Storage("the embedded font does not parse".into()))?;
            Ok::<_, CoreError>((doc.add_font(&font), font))
        };
        Ok(Fonts {
            regular: load(REGULAR)?,
            bold: load(BOLD)?,
        })
    }
}

/// Width of `text` set in `font` at `size` points, in mm.
fn text_width_mm(font: &ParsedFont, text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| {
            font.lookup_glyph_index(c as u32)
                .and_then(|g| font.get_glyph_width(g))
                .map_or(500, u32::from)
        })
        .sum();
    let points = units as f32 * size / f32::from(font.units_per_em.max(1));
    points * 25.4 / 72.0
}

/// Drawing operations for one page, in millimetres from the page's bottom-left corner.
struct Canvas<'f> {
    ops: Vec<Op>,
    fonts: &'f Fonts,
}

impl<'f> Canvas<'f> {
    fn new(fonts: &'f Fonts) -> Canvas<'f> {
        Canvas {
            ops: Vec::new(),
            fonts,
        }
    }

    fn fill(&mut self, (r, g, b): (f32, f32, f32)) {
        self.ops.push(Op::SetFillColor {
            col: Color::Rgb(Rgb::new(r, g, b, None)),
        });
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let mut rectangle = Rect::from_xywh(Mm(x).into(), Mm(y).into(), Mm(w).into(), Mm(h).into());
        rectangle.mode = Some(PaintMode::Fill);
        self.ops.push(Op::DrawRectangle { rectangle });
    }

    fn line(&mut self, points: &[(f32, f32)], width_pt: f32) {
        self.ops.push(Op::SetOutlineColor {
            col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)),
        });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(width_pt) });
        self.ops.push(Op::DrawLine {
            line: Line {
                points: points
                    .iter()
                    .map(|&(x, y)| LinePoint {
                        p: Point::new(Mm(x), Mm(y)),
                        bezier: false,
                    })
                    .collect(),
                is_closed: false,
            },
        });
    }

    /// Text with its left end at (x, y) (baseline).
    fn text(&mut self, text: &str, x: f32, y: f32, size: f32, bold: bool) {
        let (id, _) = if bold {
            &self.fonts.bold
        } else {
            &self.fonts.regular
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(id.clone()),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let (_, font) = if bold {
            &self.fonts.bold
        } else {
            &self.fonts.regular
        };
        text_width_mm(font, text, size)
    }

    /// The largest size ≤ `size` (down to 60 %) at which `text` fits in `max_mm`.
    fn fitting_size(&self, text: &str, size: f32, max_mm: f32, bold: bool) -> f32 {
        let width = self.width(text, size, bold);
        if width <= max_mm {
            size
        } else {
            (size * max_mm / width).max(size * 0.6)
        }
    }

    /// `text` broken into lines no wider than `max_mm`.
    fn wrap(&self, text: &str, size: f32, max_mm: f32) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for word in text.split_whitespace() {
            match lines.last_mut() {
                Some(line) if self.width(&format!("{line} {word}"), size, false) <= max_mm => {
                    line.push(' ');
                    line.push_str(word);
                }
                _ => lines.push(word.to_string()),
            }
        }
        lines
    }

    /// The QR code with its quiet zone, its symbol `symbol_mm` wide, lower-left corner of the
    /// symbol at (x, y). Dark modules of a row are merged into one rectangle each run.
    fn qr(&mut self, code: &QrCode, x: f32, y: f32, symbol_mm: f32) {
        let n = code.width();
        let module = symbol_mm / n as f32;
        let quiet = module * QUIET_MODULES as f32;
        self.fill((1.0, 1.0, 1.0));
        self.rect(
            x - quiet,
            y - quiet,
            symbol_mm + 2.0 * quiet,
            symbol_mm + 2.0 * quiet,
        );
        self.fill((0.0, 0.0, 0.0));
        let colors = code.to_colors();
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] != qrcode::Color::Dark {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                // PDF's y grows upwards, QR rows downwards.
                let top = y + symbol_mm - row as f32 * module;
                self.rect(
                    x + start as f32 * module,
                    top - module,
                    (col - start) as f32 * module,
                    module,
                );
            }
        }
    }

    /// One card, its lower-left corner at (x, y), `w` × `h` mm.
    fn card(&mut self, face: &CardFace, qr: &QrCode, x: f32, y: f32, (w, h): (f32, f32)) {
        const INK: (f32, f32, f32) = (0.08, 0.13, 0.12);
        const BRAND: (f32, f32, f32) = (0.12, 0.37, 0.36);
        let margin = 5.0;
        let module = QR_SYMBOL_MM / qr.width() as f32;
        let quiet = module * QUIET_MODULES as f32;
        let qr_x = x + w - margin - QR_SYMBOL_MM;
        let qr_y = y + h - margin - QR_SYMBOL_MM - 1.0;
        self.qr(qr, qr_x, qr_y, QR_SYMBOL_MM);

        self.fill(INK);
        let code_size = 9.0;
        let code_width = self.width(&face.code, code_size, true);
        let code_x = qr_x + (QR_SYMBOL_MM - code_width) / 2.0;
        self.text(
            &face.code,
            code_x,
            qr_y - quiet + 0.5 - 3.2,
            code_size,
            true,
        );

        let text_width = qr_x - quiet - (x + margin) - 1.0;
        self.fill(BRAND);
        let shop_size = self.fitting_size(&face.shop, 10.0, text_width, true);
        self.text(
            &face.shop,
            x + margin,
            y + h - margin - 3.5,
            shop_size,
            true,
        );
        self.fill(INK);
        let name_size = self.fitting_size(&face.member_name, 13.0, text_width, true);
        self.text(&face.member_name, x + margin, y + h - 22.0, name_size, true);

        let tagline_size = 7.0;
        let lines = self.wrap(&face.tagline, tagline_size, text_width);
        for (i, line) in lines.iter().take(3).enumerate() {
            let from_bottom = (lines.len().min(3) - 1 - i) as f32 * 3.2;
            self.text(
                line,
                x + margin,
                y + margin + 1.0 + from_bottom,
                tagline_size,
                false,
            );
        }
    }
}

/// A PDF of `faces` laid out on `sheet`. `progress` hears how many cards are drawn so far.
pub fn cards_pdf(
    title: &str,
    faces: &[CardFace],
    sheet: Sheet,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<u8>> {
    let mut doc = PdfDocument::new(title);
    let fonts = Fonts::load(&mut doc)?;
    let mut pages = Vec::new();
    match sheet {
        Sheet::Cr80 => {
            for (i, face) in faces.iter().enumerate() {
                let mut canvas = Canvas::new(&fonts);
                canvas.card(face, &qr_for(&face.token)?, 0.0, 0.0, CR80);
                pages.push(PdfPage::new(Mm(CR80.0), Mm(CR80.1), canvas.ops));
                progress(i + 1);
            }
        }
        Sheet::A4Ten => {
            let per_page = SHEET_COLUMNS * SHEET_ROWS;
            let left = (A4.0 - SHEET_COLUMNS as f32 * BLANK.0) / 2.0;
            let bottom = (A4.1 - SHEET_ROWS as f32 * BLANK.1) / 2.0;
            for (page_no, chunk) in faces.chunks(per_page).enumerate() {
                let mut canvas = Canvas::new(&fonts);
                crop_marks(&mut canvas, left, bottom);
                for (i, face) in chunk.iter().enumerate() {
                    let (col, row) = (i % SHEET_COLUMNS, i / SHEET_COLUMNS);
                    let x = left + col as f32 * BLANK.0;
                    let y = A4.1 - bottom - (row + 1) as f32 * BLANK.1;
                    canvas.card(face, &qr_for(&face.token)?, x, y, BLANK);
                    progress(page_no * per_page + i + 1);
                }
                pages.push(PdfPage::new(Mm(A4.0), Mm(A4.1), canvas.ops));
            }
        }
    }
    let mut warnings = Vec::new();
    Ok(doc
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings))
}

/// Short marks in the margins, in line with every edge between blanks: cut along them.
fn crop_marks(canvas: &mut Canvas<'_>, left: f32, bottom: f32) {
    const GAP: f32 = 1.5;
    const LENGTH: f32 = 5.0;
    let right = A4.0 - left;
    let top = A4.1 - bottom;
    for col in 0..=SHEET_COLUMNS {
        let x = left + col as f32 * BLANK.0;
        canvas.line(&[(x, top + GAP), (x, top + GAP + LENGTH)], 0.3);
        canvas.line(&[(x, bottom - GAP), (x, bottom - GAP - LENGTH)], 0.3);
    }
    for row in 0..=SHEET_ROWS {
        let y = bottom + row as f32 * BLANK.1;
        canvas.line(&[(left - GAP, y), (left - GAP - LENGTH, y)], 0.3);
        canvas.line(&[(right + GAP, y), (right + GAP + LENGTH, y)], 0.3);
    }
}

/// Texts of the test page, in the shop's language.
pub struct TestPageTexts {
    pub title: String,
    pub hint: String,
    pub sample: String,
}

/// A ruler's tick: long every centimetre, middle every 5 mm, short otherwise.
fn ruler_tick_mm(mm: u16) -> f32 {
    match (mm % 10, mm % 5) {
        (0, _) => 6.0,
        (_, 0) => 4.0,
        _ => 2.0,
    }
}

/// An A4 page with a 100 mm ruler each way and a sample CR80 card outlined at its true size.
pub fn test_page_pdf(texts: &TestPageTexts, sample: &CardFace) -> Result<Vec<u8>> {
    let mut doc = PdfDocument::new(&texts.title);
    let fonts = Fonts::load(&mut doc)?;
    let mut canvas = Canvas::new(&fonts);
    canvas.fill((0.0, 0.0, 0.0));
    canvas.text(&texts.title, 20.0, 275.0, 13.0, true);
    canvas.text(&texts.hint, 20.0, 268.0, 9.0, false);

    // Horizontal ruler at y = 240 from x = 20; vertical ruler at x = 20 going down from y = 230.
    let (x0, y0) = (20.0, 240.0);
    canvas.line(&[(x0, y0), (x0 + 100.0, y0)], 0.4);
    for mm in 0..=100u16 {
        let tick = ruler_tick_mm(mm);
        let x = x0 + f32::from(mm);
        canvas.line(&[(x, y0), (x, y0 + tick)], 0.2);
        if mm % 10 == 0 {
            canvas.text(&format!("{}", mm / 10), x - 0.8, y0 + 7.5, 7.0, false);
        }
    }
    let (vx, vy) = (20.0, 230.0);
    canvas.line(&[(vx, vy), (vx, vy - 100.0)], 0.4);
    for mm in 0..=100u16 {
        let tick = ruler_tick_mm(mm);
        let y = vy - f32::from(mm);
        canvas.line(&[(vx, y), (vx + tick, y)], 0.2);
    }

    // The sample card, outlined, right of the vertical ruler.
    let (cx, cy) = (40.0, 150.0);
    canvas.text(&texts.sample, cx, cy + CR80.1 + 3.0, 9.0, false);
    let outline = [
        (cx, cy),
        (cx + CR80.0, cy),
        (cx + CR80.0, cy + CR80.1),
        (cx, cy + CR80.1),
        (cx, cy),
    ];
    canvas.line(&outline, 0.3);
    canvas.card(sample, &qr_for(&sample.token)?, cx, cy, CR80);

    let mut warnings = Vec::new();
    Ok(doc
        .with_pages(vec![PdfPage::new(Mm(A4.0), Mm(A4.1), canvas.ops)])
        .save(&PdfSaveOptions::default(), &mut warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card_token::ChainKey;
    use crate::member_code::MemberCode;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn a_card_token_fits_qr_version_2_in_alphanumeric_mode() {
        let key = ChainKey::generate(&mut StdRng::seed_from_u64(1));
        let token = key.issue(&MemberCode::generate(&mut StdRng::seed_from_u64(2)));
        let qr = qr_for(&token).unwrap();
        assert_eq!(qr.version(), qrcode::Version::Normal(2));
        assert_eq!(qr.error_correction_level(), EcLevel::M);
        let module_mm = QR_SYMBOL_MM / qr.width() as f32;
        assert!(module_mm >= 0.4, "{module_mm} mm modules");
        // 18 mm wide printing would still give 0.4 mm modules or more.
        assert!(18.0 / qr.width() as f32 >= 0.4);
    }

    #[test]
    fn the_embedded_font_has_every_letter_of_our_languages() {
        let mut warnings = Vec::new();
        for bytes in [REGULAR, BOLD] {
            let font = ParsedFont::from_bytes(bytes, 0, &mut warnings).unwrap();
            for c in "șțȘȚăâîőűŐŰéàèçêëïôœùüÿæñ".chars() {
                assert!(
                    font.lookup_glyph_index(c as u32).is_some(),
                    "no glyph for {c}"
                );
            }
        }
    }
}
