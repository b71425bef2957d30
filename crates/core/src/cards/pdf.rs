//! Printed loyalty cards as PDF (printpdf + qrcode): CR80 cards one per page for card printers,
//! A4 sheets of 10 business-card blanks (2 × 5) with crop marks for office printers, and a test
//! page with a ruler to check the printer's scaling. QR codes are vectors with a 4-module quiet
//! zone that no text enters (`layout_card`, docs/decisions/0009-card-layout.md); names are set in
//! an embedded DejaVu Sans, which has every letter of our five languages.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};
use qrcode::{EcLevel, QrCode};

use crate::error::{CoreError, Result};

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

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
pub(super) const QUIET_MODULES: usize = 4;

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

/// The QR matrix of a token at error-correction level M (the smallest version that fits).
pub fn qr_for(token: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(token.as_bytes(), EcLevel::M)
        .map_err(|e| CoreError::internal("qr code", e))
}

/// The two faces' measurements, apart from any document: the layout is computed (and tested)
/// from these alone.
pub(super) struct Metrics {
    regular: ParsedFont,
    bold: ParsedFont,
}

impl Metrics {
    pub(super) fn load() -> Result<Metrics> {
        let parse = |bytes: &[u8]| {
            let mut warnings = Vec::new();
            ParsedFont::from_bytes(bytes, 0, &mut warnings)
                .ok_or_else(|| CoreError::internal("embedded font", "does not parse"))
        };
        Ok(Metrics {
            regular: parse(REGULAR)?,
            bold: parse(BOLD)?,
        })
    }

    fn font(&self, bold: bool) -> &ParsedFont {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    pub(super) fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        text_width_mm(self.font(bold), text, size)
    }

    /// Height of the font's line box above the baseline (hhea ascender), in mm: the top of the
    /// box a PDF reader gives a word, above any accent we print.
    pub(super) fn ascent(&self, size: f32, bold: bool) -> f32 {
        let font = self.font(bold);
        em_to_mm(f32::from(font.font_metrics.ascent), font, size)
    }

    /// Depth of the font's line box below the baseline (hhea descender), in mm.
    pub(super) fn descent(&self, size: f32, bold: bool) -> f32 {
        let font = self.font(bold);
        em_to_mm(-f32::from(font.font_metrics.descent), font, size)
    }
}

pub(super) struct Fonts {
    regular: FontId,
    bold: FontId,
    pub(super) metrics: Metrics,
}

impl Fonts {
    /// Both faces, each embedded as a subset with the glyphs of `texts` only (and printable
    /// ASCII, for what a layout adds: digits, an ellipsis's neighbours): a PDF carries some
    /// tens of KB of fonts instead of the faces' 700 KB. Measuring uses the whole faces; a
    /// glyph's width is the same in the subset.
    pub(super) fn load<'a>(
        doc: &mut PdfDocument,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Fonts> {
        let metrics = Metrics::load()?;
        let mut used: std::collections::BTreeSet<char> = (' '..='~').collect();
        used.extend(['…', '–', '—', '·', '’', '“', '”', '«', '»', '„', '€']);
        for text in texts {
            for c in text.chars() {
                used.insert(c);
                used.extend(c.to_uppercase());
                used.extend(c.to_lowercase());
            }
        }
        Ok(Fonts {
            regular: doc.add_font(&subset(&metrics.regular, &used)?),
            bold: doc.add_font(&subset(&metrics.bold, &used)?),
            metrics,
        })
    }
}

/// `font` cut down to the glyphs of `used` (and .notdef, first, as PDF readers expect), with a
/// cmap of its own: printpdf maps each character through it to the subset's glyph ids.
fn subset(font: &ParsedFont, used: &std::collections::BTreeSet<char>) -> Result<ParsedFont> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset, CmapTarget, SubsetProfile};

    let failed = |e: &dyn std::fmt::Display| CoreError::internal("font subset", e.to_string());
    let mut glyphs: Vec<u16> = used
        .iter()
        .filter_map(|c| font.lookup_glyph_index(*c as u32))
        .filter(|glyph| *glyph != 0)
        .collect();
    glyphs.sort_unstable();
    glyphs.dedup();
    glyphs.insert(0, 0);
    let scope = ReadScope::new(&font.original_bytes);
    let data = scope.read::<FontData<'_>>().map_err(|e| failed(&e))?;
    let provider = data.table_provider(0).map_err(|e| failed(&e))?;
    let bytes = subset(&provider, &glyphs, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| failed(&e))?;
    let mut warnings = Vec::new();
    ParsedFont::from_bytes(&bytes, 0, &mut warnings)
        .ok_or_else(|| CoreError::internal("font subset", "does not parse"))
}

/// `units` of `font`'s em at `size` points, in mm.
fn em_to_mm(units: f32, font: &ParsedFont, size: f32) -> f32 {
    units * size / f32::from(font.units_per_em.max(1)) * 25.4 / 72.0
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
    em_to_mm(units as f32, font, size)
}

/// Blank kept around the text on every side of a card.
const MARGIN_MM: f32 = 5.0;
/// Between the text column and the QR's quiet zone.
const COLUMN_GAP_MM: f32 = 1.0;
/// Between the quiet zone and the code printed under it, on top of the 4 modules: PDF readers
/// and scanners round, and a code touching the quiet zone is one rounding away from inside it.
const CODE_GAP_MM: f32 = 0.5;
/// Member names are set at 13 pt, shrunk down to `NAME_MIN_PT` to fit one line, then set on up
/// to two lines at `NAME_MIN_PT`, the second cut with "…" if the name is longer still.
const NAME_PT: f32 = 13.0;
const NAME_MIN_PT: f32 = 8.0;
const NAME_LINES: usize = 2;
/// Distance between baselines of a name's two lines, as a multiple of its size.
const NAME_LEADING: f32 = 1.2;
/// (largest, smallest) sizes in points. The shop's name keeps to one line, cut with "…".
const SHOP_PT: (f32, f32) = (10.0, 6.0);
const CODE_PT: (f32, f32) = (9.0, 6.0);
const TAGLINE_PT: f32 = 7.0;
const TAGLINE_LINES: usize = 3;
const TAGLINE_PITCH_MM: f32 = 3.2;
pub(super) const INK: (f32, f32, f32) = (0.08, 0.13, 0.12);
pub(super) const BRAND: (f32, f32, f32) = (0.12, 0.37, 0.36);

/// A rectangle in mm, (x, y) its lower-left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Area {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) w: f32,
    pub(super) h: f32,
}

impl Area {
    fn right(&self) -> f32 {
        self.x + self.w
    }

    pub(super) fn top(&self) -> f32 {
        self.y + self.h
    }

    pub(super) fn grown(&self, by: f32) -> Area {
        Area {
            x: self.x - by,
            y: self.y - by,
            w: self.w + 2.0 * by,
            h: self.h + 2.0 * by,
        }
    }

    /// Whether the two share more than an edge.
    pub(super) fn intersects(&self, other: &Area) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.top()
            && other.y < self.top()
    }

    pub(super) fn contains(&self, other: &Area) -> bool {
        other.x >= self.x
            && other.right() <= self.right()
            && other.y >= self.y
            && other.top() <= self.top()
    }
}

/// What a line of text on a card says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Shop,
    Name,
    Code,
    Tagline,
}

impl Part {
    fn bold(self) -> bool {
        self != Part::Tagline
    }

    fn colour(self) -> (f32, f32, f32) {
        match self {
            Part::Shop => BRAND,
            _ => INK,
        }
    }
}

/// One line of text placed on a card: its left end at `x` on the baseline, and the box its
/// font gives it (advance widths × ascender to descender), which is what must stay clear.
#[derive(Clone, Debug)]
struct PlacedText {
    part: Part,
    text: String,
    size: f32,
    x: f32,
    baseline: f32,
    area: Area,
}

/// Where everything of one card goes. The QR zone is the symbol and its quiet zone; no text
/// area intersects it, and every area lies inside the card.
#[derive(Clone, Debug)]
struct CardLayout {
    card: Area,
    qr_symbol: Area,
    qr_zone: Area,
    texts: Vec<PlacedText>,
}

/// A text fitted to a width: its size in points and its lines.
pub(super) struct Fitted {
    pub(super) size: f32,
    pub(super) lines: Vec<String>,
}

/// `text` on one line at the largest size from `max` down to `min` points that fits `width`;
/// failing that, at `min` on up to `max_lines` lines, the last cut with "…" if text remains.
pub(super) fn fit(
    metrics: &Metrics,
    text: &str,
    bold: bool,
    (max, min): (f32, f32),
    width: f32,
    max_lines: usize,
) -> Fitted {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let natural = metrics.width(&text, max, bold);
    if natural <= width {
        return Fitted {
            size: max,
            lines: vec![text],
        };
    }
    // Widths scale with the size; rounding down to a tenth of a point keeps it inside.
    let size = (max * width / natural * 10.0).floor() / 10.0;
    if size >= min {
        return Fitted {
            size,
            lines: vec![text],
        };
    }
    let fits = |line: &str| metrics.width(line, min, bold) <= width;
    Fitted {
        size: min,
        lines: break_lines(&text, &fits, max_lines),
    }
}

/// Single-spaced `text` in at most `max_lines` lines that each pass `fits`, broken between
/// words; a word too long for a line starts one and breaks after a hyphen, else anywhere. When
/// text remains for the last line, it is cut with "…".
fn break_lines(text: &str, fits: &dyn Fn(&str) -> bool, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() && lines.len() < max_lines {
        if fits(rest) {
            lines.push(rest.to_string());
            break;
        }
        if lines.len() + 1 == max_lines {
            lines.push(ellipsized(rest, fits));
            break;
        }
        let end = line_end(rest, fits);
        lines.push(rest[..end].trim_end().to_string());
        rest = rest[end..].trim_start();
    }
    lines
}

/// Where the first line of `text` ends (a byte index): at the last space whose line fits, else
/// after the last hyphen, else after the last character, and after one character at least so
/// that breaking always moves on.
fn line_end(text: &str, fits: &dyn Fn(&str) -> bool) -> usize {
    let last_fitting =
        |ends: &mut dyn Iterator<Item = usize>| ends.take_while(|&end| fits(&text[..end])).last();
    let mut spaces = text.match_indices(' ').map(|(i, _)| i);
    let mut hyphens = text.match_indices('-').map(|(i, _)| i + 1);
    let mut chars = text.char_indices().map(|(i, c)| i + c.len_utf8());
    last_fitting(&mut spaces)
        .or_else(|| last_fitting(&mut hyphens))
        .or_else(|| last_fitting(&mut chars))
        .unwrap_or_else(|| text.chars().next().map_or(text.len(), char::len_utf8))
}

/// The longest beginning of `text` that fits with "…" after it, cut clear of spaces and
/// punctuation.
fn ellipsized(text: &str, fits: &dyn Fn(&str) -> bool) -> String {
    let cut = |end: usize| {
        let kept = text[..end].trim_end_matches([' ', '-', ',', '.', ';', '—']);
        format!("{kept}…")
    };
    text.char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .map(cut)
        .take_while(|line| fits(line))
        .last()
        .unwrap_or_else(|| "…".to_string())
}

/// The layout of one card `card` whose QR symbol is `modules` wide. The QR sits top right with
/// its quiet zone; the code is centred under the quiet zone; shop, name and tagline share a
/// column on the left that ends before the quiet zone.
fn layout_card(metrics: &Metrics, face: &CardFace, modules: usize, card: Area) -> CardLayout {
    let module = QR_SYMBOL_MM / modules.max(1) as f32;
    let qr_symbol = Area {
        x: card.right() - MARGIN_MM - QR_SYMBOL_MM,
        y: card.top() - MARGIN_MM - 1.0 - QR_SYMBOL_MM,
        w: QR_SYMBOL_MM,
        h: QR_SYMBOL_MM,
    };
    let qr_zone = qr_symbol.grown(module * QUIET_MODULES as f32);
    let mut texts = Vec::new();
    let mut place = |part: Part, text: String, size: f32, x: f32, baseline: f32| {
        let bold = part.bold();
        let descent = metrics.descent(size, bold);
        let area = Area {
            x,
            y: baseline - descent,
            w: metrics.width(&text, size, bold),
            h: metrics.ascent(size, bold) + descent,
        };
        if !text.is_empty() {
            texts.push(PlacedText {
                part,
                text,
                size,
                x,
                baseline,
                area,
            });
        }
    };

    let code = fit(metrics, &face.code, true, CODE_PT, qr_zone.w, 1);
    let baseline = qr_zone.y - CODE_GAP_MM - metrics.ascent(code.size, true);
    for line in code.lines {
        let x = qr_zone.x + (qr_zone.w - metrics.width(&line, code.size, true)) / 2.0;
        place(Part::Code, line, code.size, x, baseline);
    }

    let left = card.x + MARGIN_MM;
    let column = qr_zone.x - COLUMN_GAP_MM - left;
    let shop = fit(metrics, &face.shop, true, SHOP_PT, column, 1);
    for line in shop.lines {
        place(
            Part::Shop,
            line,
            shop.size,
            left,
            card.top() - MARGIN_MM - 3.5,
        );
    }

    let name = fit(
        metrics,
        &face.member_name,
        true,
        (NAME_PT, NAME_MIN_PT),
        column,
        NAME_LINES,
    );
    let leading = NAME_LEADING * name.size * 25.4 / 72.0;
    for (i, line) in name.lines.into_iter().enumerate() {
        let baseline = card.top() - 22.0 - i as f32 * leading;
        place(Part::Name, line, name.size, left, baseline);
    }

    let tagline = fit(
        metrics,
        &face.tagline,
        false,
        (TAGLINE_PT, TAGLINE_PT),
        column,
        TAGLINE_LINES,
    );
    let count = tagline.lines.len();
    for (i, line) in tagline.lines.into_iter().enumerate() {
        let from_bottom = (count - 1 - i) as f32 * TAGLINE_PITCH_MM;
        let baseline = card.y + MARGIN_MM + 1.0 + from_bottom;
        place(Part::Tagline, line, tagline.size, left, baseline);
    }

    CardLayout {
        card,
        qr_symbol,
        qr_zone,
        texts,
    }
}

/// Drawing operations for one page, in millimetres from the page's bottom-left corner.
pub(super) struct Canvas<'f> {
    pub(super) ops: Vec<Op>,
    fonts: &'f Fonts,
}

impl<'f> Canvas<'f> {
    pub(super) fn new(fonts: &'f Fonts) -> Canvas<'f> {
        Canvas {
            ops: Vec::new(),
            fonts,
        }
    }

    pub(super) fn fill(&mut self, (r, g, b): (f32, f32, f32)) {
        self.ops.push(Op::SetFillColor {
            col: Color::Rgb(Rgb::new(r, g, b, None)),
        });
    }

    fn rect(&mut self, area: Area) {
        let mut rectangle = Rect::from_xywh(
            Mm(area.x).into(),
            Mm(area.y).into(),
            Mm(area.w).into(),
            Mm(area.h).into(),
        );
        rectangle.mode = Some(PaintMode::Fill);
        self.ops.push(Op::DrawRectangle { rectangle });
    }

    pub(super) fn line(&mut self, points: &[(f32, f32)], width_pt: f32) {
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
    pub(super) fn text(&mut self, text: &str, x: f32, y: f32, size: f32, bold: bool) {
        let id = if bold {
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

    /// The QR code: `zone` (symbol and quiet zone) painted white, then the symbol in `symbol`.
    /// Dark modules of a row are merged into one rectangle each run.
    pub(super) fn qr(&mut self, code: &QrCode, symbol: Area, zone: Area) {
        let n = code.width();
        let module = symbol.w / n as f32;
        self.fill((1.0, 1.0, 1.0));
        self.rect(zone);
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
                let top = symbol.top() - row as f32 * module;
                self.rect(Area {
                    x: symbol.x + start as f32 * module,
                    y: top - module,
                    w: (col - start) as f32 * module,
                    h: module,
                });
            }
        }
    }

    /// One card, its lower-left corner at (x, y), `w` × `h` mm, drawn as `layout_card` places it.
    fn card(&mut self, face: &CardFace, qr: &QrCode, x: f32, y: f32, (w, h): (f32, f32)) {
        let card = Area { x, y, w, h };
        let layout = layout_card(&self.fonts.metrics, face, qr.width(), card);
        debug_assert!(
            layout
                .texts
                .iter()
                .all(|t| layout.card.contains(&t.area) && !t.area.intersects(&layout.qr_zone)),
            "{layout:?}"
        );
        self.qr(qr, layout.qr_symbol, layout.qr_zone);
        for text in &layout.texts {
            self.fill(text.part.colour());
            self.text(
                &text.text,
                text.x,
                text.baseline,
                text.size,
                text.part.bold(),
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
    let texts = faces
        .iter()
        .flat_map(|f| [&f.shop, &f.member_name, &f.code, &f.tagline])
        .map(String::as_str);
    let fonts = Fonts::load(&mut doc, texts)?;
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
    let used = [
        &texts.title,
        &texts.hint,
        &texts.sample,
        &sample.shop,
        &sample.member_name,
        &sample.code,
        &sample.tagline,
    ];
    let fonts = Fonts::load(&mut doc, used.map(String::as_str))?;
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
    use crate::codes::member_code::MemberCode;
    use crate::codes::token::ChainKey;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use rstest::rstest;

    const SHORT_SHOP: &str = "Café Lumière";
    /// As long as a shop's name may be (`validate::NAME_MAX`).
    const LONG_SHOP: &str = "Boulangerie-Pâtisserie Ștefănescu & Fiii, Szőke és Társa Kft. — \
                              Montmorency-Laval, depuis 1887, Țară";

    fn face(shop: &str, name: &str) -> CardFace {
        let key = ChainKey::generate(&mut StdRng::seed_from_u64(1));
        let code = MemberCode::generate(&mut StdRng::seed_from_u64(2));
        CardFace {
            shop: shop.to_string(),
            member_name: name.to_string(),
            code: code.display(),
            token: key.issue(&code),
            tagline: "Mutasd fel ezt a kártyát a kasszánál, és gyűjtsd a pecséteket.".into(),
        }
    }

    /// A card of each layout's size, placed where the page puts it.
    fn cards() -> [Area; 2] {
        [
            Area {
                x: 0.0,
                y: 0.0,
                w: CR80.0,
                h: CR80.1,
            },
            Area {
                x: 20.0,
                y: 13.5,
                w: BLANK.0,
                h: BLANK.1,
            },
        ]
    }

    fn layout(face: &CardFace, card: Area) -> CardLayout {
        let modules = qr_for(&face.token).unwrap().width();
        layout_card(&Metrics::load().unwrap(), face, modules, card)
    }

    fn lines_of(layout: &CardLayout, part: Part) -> Vec<&PlacedText> {
        layout.texts.iter().filter(|t| t.part == part).collect()
    }

    #[rstest]
    #[case::one_letter("Ő")]
    #[case::the_32_letters_of_the_issue("Anne-Sophie de Montmorency-Laval")]
    #[case::thirty_two_letters_with_diacritics("Ștefănuț Szőcs-Țepeș Hűvösvölgyi")]
    #[case::sixty_letters("Anne-Sophie Ștefănescu-Țurcanu de Montmorency-Laval Szőke Űr")]
    #[case::a_hundred_and_twenty_letters(
        "Anne-Sophie Ștefănescu-Țurcanu de Montmorency-Laval Szőke Űr \
         Maria-Magdalena Țăranu-Ionescu Hűvösvölgyi-Kovács Ștefan Ős"
    )]
    #[case::one_word_of_120_wide_letters("ȘȚŐŰ".repeat(30))]
    fn a_long_name_never_overlaps_the_qr_area(
        #[case] name: String,
        #[values(SHORT_SHOP, LONG_SHOP)] shop: &str,
    ) {
        for card in cards() {
            let layout = layout(&face(shop, &name), card);
            assert!(layout.qr_symbol.w >= 18.0, "{layout:?}");
            // The quiet zone, too, is on the card, with a millimetre to spare for cutting.
            assert!(card.grown(-1.0).contains(&layout.qr_zone), "{layout:?}");
            for part in [Part::Shop, Part::Name, Part::Code, Part::Tagline] {
                assert!(!lines_of(&layout, part).is_empty(), "no {part:?}");
            }
            for (i, text) in layout.texts.iter().enumerate() {
                assert!(
                    !text.area.intersects(&layout.qr_zone),
                    "{text:?} enters the QR's quiet zone {:?}",
                    layout.qr_zone
                );
                assert!(
                    card.contains(&text.area),
                    "{text:?} leaves the card {card:?}"
                );
                for other in &layout.texts[i + 1..] {
                    assert!(!text.area.intersects(&other.area), "{text:?} on {other:?}");
                }
            }
            let name_lines = lines_of(&layout, Part::Name);
            assert!(name_lines.len() <= NAME_LINES, "{name_lines:?}");
            assert!(name_lines.iter().all(|l| l.size >= NAME_MIN_PT));
        }
    }

    #[test]
    fn the_code_sits_four_modules_below_the_qr_symbol() {
        for card in cards() {
            let face = face(SHORT_SHOP, "Emma Walsh");
            let layout = layout(&face, card);
            let module = layout.qr_symbol.w / qr_for(&face.token).unwrap().width() as f32;
            let code = lines_of(&layout, Part::Code);
            assert_eq!(code.len(), 1);
            assert_eq!(code[0].text, face.code);
            assert!(code[0].size >= 9.0, "the code keeps its size");
            assert!(code[0].area.top() <= layout.qr_symbol.y - 4.0 * module);
            // Centred under the symbol.
            let centre = |a: Area| a.x + a.w / 2.0;
            assert!((centre(code[0].area) - centre(layout.qr_symbol)).abs() < 0.01);
        }
    }

    fn name_as_set(name: &str) -> (f32, Vec<String>) {
        let [card, _] = cards();
        let layout = layout(&face(SHORT_SHOP, name), card);
        let lines = lines_of(&layout, Part::Name);
        (
            lines[0].size,
            lines.iter().map(|l| l.text.clone()).collect(),
        )
    }

    #[rstest]
    #[case::a_short_name_keeps_13_pt("Emma Walsh", NAME_PT)]
    #[case::a_longer_one_shrinks("Andreea Popescu-Ionescu", 9.5)]
    #[case::down_to_about_the_minimum("Anne-Sophie de Montmorency", 8.2)]
    fn a_name_shrinks_to_fit_one_line(#[case] name: &str, #[case] expected_pt: f32) {
        let (size, lines) = name_as_set(name);
        assert_eq!(lines, [name]);
        assert!((size - expected_pt).abs() < 0.05, "{size} pt");
    }

    #[test]
    fn a_name_shrinks_then_wraps_then_is_cut_with_an_ellipsis() {
        let (size, lines) = name_as_set("Anne-Sophie de Montmorency-Laval");
        assert_eq!(size, NAME_MIN_PT);
        assert_eq!(lines, ["Anne-Sophie de", "Montmorency-Laval"]);

        let long = "Anne-Sophie Ștefănescu-Țurcanu de Montmorency-Laval Szőke Űr \
                    Maria-Magdalena Țăranu-Ionescu Hűvösvölgyi-Kovács Ștefan Ős";
        let (size, lines) = name_as_set(long);
        assert_eq!(size, NAME_MIN_PT);
        assert_eq!(lines.len(), 2);
        let printed = lines.join(" ");
        let kept = printed.strip_suffix('…').expect("cut with an ellipsis");
        assert!(long.starts_with(kept), "{printed:?}");
    }

    #[rstest]
    #[case::between_words("Anne-Sophie de Montmorency-Laval", 15, &["Anne-Sophie de", "Montmorency-La…"])]
    #[case::after_a_hyphen_when_a_word_is_too_long("Montmorency-Laval", 12, &["Montmorency-", "Laval"])]
    #[case::anywhere_in_a_word_without_hyphens("ȘȚŐŰȘȚŐŰȘȚŐŰ", 5, &["ȘȚŐŰȘ", "ȚŐŰȘ…"])]
    #[case::the_ellipsis_never_follows_a_hyphen("Ana Szőke-Űrhajós", 7, &["Ana", "Szőke…"])]
    #[case::a_line_that_fits_is_left_alone("Emma Walsh", 20, &["Emma Walsh"])]
    fn breaking_lines_counts_what_fits(
        #[case] text: &str,
        #[case] max_chars: usize,
        #[case] expected: &[&str],
    ) {
        let fits = |line: &str| line.chars().count() <= max_chars;
        assert_eq!(break_lines(text, &fits, 2), expected);
    }

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
            for c in "șțȘȚăâîőűŐŰéàèçêëïôœùüÿæñ…".chars() {
                assert!(
                    font.lookup_glyph_index(c as u32).is_some(),
                    "no glyph for {c}"
                );
            }
        }
    }
}
