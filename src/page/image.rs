//! Images on a page: the file's bytes as they go into the PDF, checked once on loading
//! (format, size, metadata, every pixel) so that no later stage meets a bad image. An
//! image finer than [`image_limits::MAX_PPI`] where it is placed is resampled to that
//! resolution ([`ImageData::downsampled`]), as a layout program's PDF export does; any
//! other image goes into the PDF byte for byte.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    /// Raw CMYK pixels, 8 bits an ink, row by row as shown: an RGB image separated
    /// through a print file's output profile (`crate::color::Press::separate_image`).
    Cmyk,
}

/// An image file's bytes, passed to the PDF unchanged: the county's own file, or the PNG
/// [`ImageData::downsampled`] made of it; in a print file, an RGB image's pixels separated
/// into CMYK.
#[derive(Debug)]
pub struct ImageData {
    pub bytes: Arc<Vec<u8>>,
    pub format: ImageFormat,
    /// The alpha of [`ImageFormat::Cmyk`] pixels, 8 bits each, when any is not opaque (a
    /// file's own alpha stays in its bytes).
    pub alpha: Option<Arc<Vec<u8>>>,
    /// The size as the image is meant to be seen: after its EXIF orientation (a phone
    /// photo stored sideways is as wide as it is shown).
    pub width_px: u32,
    pub height_px: u32,
    /// The EXIF orientation (1 to 8; 1 when there is none) the renderer turns the stored
    /// pixels by.
    pub orientation: u8,
}

/// Ceilings on an image (a county's logo), checked before and while decoding it in full
/// (docs/formats.md, "Limits"): a few kilobytes of file may claim a gigapixel.
pub mod image_limits {
    /// The largest image file read.
    pub const MAX_FILE_BYTES: u64 = 32 << 20;
    /// The widest or tallest image, in pixels.
    pub const MAX_SIDE: u32 = 10_000;
    /// The most pixels (a 4000 × 4000 logo; a 12-megapixel phone photo fits).
    pub const MAX_PIXELS: u64 = 16_000_000;
    /// The most memory one decode may take (16 Mpx of 16-bit RGBA is 128 MiB).
    pub const MAX_DECODED_BYTES: u64 = 128 << 20;
    /// The metadata read before the pixels (an embedded ICC profile, text chunks).
    pub const MAX_METADATA_BYTES: u64 = 8 << 20;
    /// The largest embedded ICC profile (real ones are under 1 MiB).
    pub const MAX_ICC_BYTES: usize = 4 << 20;
    /// The finest resolution an image is embedded at, in pixels per inch; an image finer
    /// than this where it is placed is downsampled to it (a county's 2000 px seal in a
    /// logo tile under an inch wide), as a layout program's PDF export does. Pixels beyond
    /// what any press resolves would only weigh down the file.
    pub const MAX_PPI: f32 = 1200.0;
    /// The most memory resampling's floating-point work area takes at once, besides the
    /// decoded pixels bounded above (a wider image is resampled in strips to stay within).
    pub const MAX_RESAMPLE_BYTES: u64 = 64 << 20;
}

impl ImageData {
    /// Reads an image and decodes it in full within [`image_limits`], so that a truncated,
    /// corrupt or oversized file is refused here (by `check` as by `build`) and never
    /// reaches the PDF writer.
    pub fn load(path: &std::path::Path) -> Result<ImageData, String> {
        use image_limits::*;
        let shown = path.display();
        let meta =
            std::fs::metadata(path).map_err(|e| format!("cannot read image `{shown}`: {e}"))?;
        if !meta.is_file() {
            return Err(format!("image `{shown}` is not a regular file"));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(format!(
                "image `{shown}` is {} MB, more than the {} MB an image may have",
                meta.len() >> 20,
                MAX_FILE_BYTES >> 20
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read image `{shown}`: {e}"))?;
        let format = match image::guess_format(&bytes) {
            Ok(image::ImageFormat::Png) => ImageFormat::Png,
            Ok(image::ImageFormat::Jpeg) => ImageFormat::Jpeg,
            _ => return Err(format!("`{shown}` is not a PNG or JPEG image")),
        };
        let (width, height, orientation) =
            probe(&bytes, format).map_err(|why| format!("image `{shown}` {why}"))?;
        // Orientations 5 to 8 turn the image a quarter: shown width is stored height.
        let (width_px, height_px) = if orientation >= 5 {
            (height, width)
        } else {
            (width, height)
        };
        Ok(ImageData {
            bytes: Arc::new(bytes),
            format,
            alpha: None,
            width_px,
            height_px,
            orientation,
        })
    }
}

impl ImageData {
    /// This image resampled to `width_px` × `height_px` (its shown size, after its EXIF
    /// orientation, which the new pixels are turned by), for an image placed finer than
    /// [`image_limits::MAX_PPI`]: Lanczos-3, alpha premultiplied while filtering, and
    /// written losslessly as a PNG of 8 bits a channel — grey stays grey, alpha is kept,
    /// and the file's embedded ICC profile goes with the pixels (an untagged image stays
    /// untagged, so the PDF reads it as sRGB as before). A CMYK JPEG is refused: its
    /// colours cannot be kept through an RGB image. The same image resampled to the same
    /// size gives the same bytes, and is resampled once per run ([`RESAMPLED`]). Errors
    /// complete "image `<file>` …".
    pub fn downsampled(&self, width_px: u32, height_px: u32) -> Result<Arc<ImageData>, String> {
        use sha2::Digest as _;
        let key = (
            <[u8; 32]>::from(sha2::Sha256::digest(self.bytes.as_slice())),
            width_px,
            height_px,
        );
        if let Some(known) = RESAMPLED
            .lock()
            .ok()
            .and_then(|m| m.images.get(&key).cloned())
        {
            return Ok(known);
        }
        let bytes = resample(
            &self.bytes,
            self.format,
            self.orientation,
            width_px,
            height_px,
        )?;
        let image = Arc::new(ImageData {
            bytes: Arc::new(bytes),
            format: ImageFormat::Png,
            alpha: None,
            width_px,
            height_px,
            orientation: 1,
        });
        if let Ok(mut memo) = RESAMPLED.lock() {
            let size = image.bytes.len();
            if memo.bytes + size <= RESAMPLED_MEMO_BYTES {
                memo.bytes += size;
                memo.images.insert(key, image.clone());
            }
        }
        Ok(image)
    }
}

/// Images already resampled in this process, by the SHA-256 of the file and the size made:
/// a county's logo is placed in every language of a layout, at the same size each time,
/// and resampling is a full decode and filter. Bounded, like `lean`'s deflate memo: once
/// it holds `RESAMPLED_MEMO_BYTES` of PNG, images are resampled without being remembered.
static RESAMPLED: LazyLock<Mutex<ResampledMemo>> = LazyLock::new(Default::default);

const RESAMPLED_MEMO_BYTES: usize = 32 << 20;

#[derive(Default)]
struct ResampledMemo {
    images: HashMap<([u8; 32], u32, u32), Arc<ImageData>>,
    bytes: usize,
}

/// The resampled PNG's bytes; see [`ImageData::downsampled`].
fn resample(
    bytes: &[u8],
    format: ImageFormat,
    orientation: u8,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, String> {
    use image::{DynamicImage, ImageEncoder};
    let (decoded, icc) = decode_shown(bytes, format, orientation).map_err(|why| match why {
        Decode::CmykJpeg => format!(
            "is a CMYK JPEG, which broadside cannot downsample with its colours kept; \
             save it at most {width} × {height} pixels, or as an RGB image"
        ),
        Decode::Failed(why) => why,
    })?;
    // 8 bits a channel; grey stays grey and alpha stays where there is some.
    use image::ColorType as C;
    let (source, alpha) = match decoded.color() {
        C::L8 | C::L16 => (DynamicImage::ImageLuma8(decoded.into_luma8()), false),
        C::La8 | C::La16 => {
            let mut source = decoded.into_luma_alpha8();
            let alpha = premultiply(&mut source, 2);
            (DynamicImage::ImageLumaA8(source), alpha)
        }
        other if !other.has_alpha() => (DynamicImage::ImageRgb8(decoded.into_rgb8()), false),
        _ => {
            let mut source = decoded.into_rgba8();
            let alpha = premultiply(&mut source, 4);
            (DynamicImage::ImageRgba8(source), alpha)
        }
    };
    let colour = source.color();
    let channels = usize::from(colour.channel_count());
    let mut pixels = resize(source, width, height).into_bytes();
    if alpha {
        unpremultiply(&mut pixels, channels);
    }
    // The PDF writer inflates the PNG and deflates the pixels again: a fast deflate here.
    let mut png = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    );
    if let Some(icc) = icc {
        encoder
            .set_icc_profile(icc)
            .map_err(|e| format!("cannot keep its ICC profile ({e})"))?;
    }
    encoder
        .write_image(&pixels, width, height, colour.into())
        .map_err(|e| format!("cannot be written as a PNG once resampled ({e})"))?;
    Ok(png)
}

/// Why an image file was not decoded.
pub enum Decode {
    /// A CMYK JPEG: the image crate would turn it into RGB without its profile.
    CmykJpeg,
    /// Completes "image `<file>` …".
    Failed(String),
}

/// An image file's pixels as they are meant to be seen (its EXIF orientation applied),
/// decoded within [`image_limits`], with its embedded ICC profile if it has one.
pub fn decode_shown(
    bytes: &[u8],
    format: ImageFormat,
    orientation: u8,
) -> Result<(image::DynamicImage, Option<Vec<u8>>), Decode> {
    use image::{DynamicImage, ImageDecoder};
    use image_limits::*;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let cursor = std::io::Cursor::new(bytes);
    let failed = |e, kind| Decode::Failed(describe(e, kind));
    let (mut decoded, icc) = match format {
        ImageFormat::Png => {
            let mut decoder = image::codecs::png::PngDecoder::with_limits(cursor, limits)
                .map_err(|e| failed(e, "PNG"))?;
            let icc = decoder.icc_profile().map_err(|e| failed(e, "PNG"))?;
            let decoded = DynamicImage::from_decoder(decoder).map_err(|e| failed(e, "PNG"))?;
            (decoded, icc)
        }
        ImageFormat::Jpeg => {
            // image turns CMYK into RGB when decoding, without the profile: the colours
            // would change, and the CMYK profile would no longer fit the pixels.
            let mut header = zune_jpeg::JpegDecoder::new(std::io::Cursor::new(bytes));
            header
                .decode_headers()
                .map_err(|e| Decode::Failed(format!("is not a readable JPEG ({e})")))?;
            use zune_jpeg::zune_core::colorspace::ColorSpace;
            if matches!(
                header.input_colorspace(),
                Some(ColorSpace::CMYK | ColorSpace::YCCK)
            ) {
                return Err(Decode::CmykJpeg);
            }
            let mut decoder =
                image::codecs::jpeg::JpegDecoder::new(cursor).map_err(|e| failed(e, "JPEG"))?;
            decoder.set_limits(limits).map_err(|e| failed(e, "JPEG"))?;
            let icc = decoder.icc_profile().map_err(|e| failed(e, "JPEG"))?;
            let decoded = DynamicImage::from_decoder(decoder).map_err(|e| failed(e, "JPEG"))?;
            (decoded, icc)
        }
        ImageFormat::Cmyk => {
            return Err(Decode::Failed(
                "is already separated into CMYK pixels".to_string(),
            ));
        }
    };
    if let Some(turn) = image::metadata::Orientation::from_exif(orientation) {
        decoded.apply_orientation(turn);
    }
    Ok((decoded, icc))
}

/// `source` (8 bits a channel) resampled to `width` × `height` with image's Lanczos-3,
/// whose floating-point work area is 16 bytes a pixel of the source's width by the new
/// height. Where that would pass [`image_limits::MAX_RESAMPLE_BYTES`], the image is
/// resampled in two passes of strips instead: heights in strips of whole columns (the
/// vertical pass works column by column), then widths in strips of whole rows (the
/// vertical pass then keeps each row as it is), rounding to 8 bits between the passes.
fn resize(source: image::DynamicImage, width: u32, height: u32) -> image::DynamicImage {
    use image::imageops::FilterType::Lanczos3;
    let (source_w, source_h) = (source.width(), source.height());
    let budget = image_limits::MAX_RESAMPLE_BYTES;
    let work = |across: u32, down: u32| 16 * u64::from(across) * u64::from(down);
    if work(source_w, height) <= budget {
        return source.resize_exact(width, height, Lanczos3);
    }
    let colour = source.color();
    let channels = usize::from(colour.channel_count());
    let strip =
        |across: u32| (budget / work(across.max(1), 1)).clamp(1, u64::from(u32::MAX)) as u32;
    // Heights first: strips of whole columns, each made `height` tall.
    let mut tall = vec![0u8; source_w as usize * height as usize * channels];
    let columns = strip(height.max(source_h));
    for x in (0..source_w).step_by(columns as usize) {
        let w = columns.min(source_w - x);
        let part = source
            .crop_imm(x, 0, w, source_h)
            .resize_exact(w, height, Lanczos3);
        let row = w as usize * channels;
        for (y, line) in part.as_bytes().chunks_exact(row).enumerate() {
            let at = (y * source_w as usize + x as usize) * channels;
            tall[at..at + row].copy_from_slice(line);
        }
    }
    drop(source);
    let tall = with_pixels(colour, source_w, height, tall);
    // Then widths: strips of whole rows, each made `width` wide.
    let mut out = Vec::with_capacity(width as usize * height as usize * channels);
    let rows = strip(source_w.max(width));
    for y in (0..height).step_by(rows as usize) {
        let h = rows.min(height - y);
        let part = tall
            .crop_imm(0, y, source_w, h)
            .resize_exact(width, h, Lanczos3);
        out.extend_from_slice(part.as_bytes());
    }
    with_pixels(colour, width, height, out)
}

/// 8-bit pixels of `colour` (grey, grey and alpha, RGB or RGBA) as an image.
fn with_pixels(
    colour: image::ColorType,
    width: u32,
    height: u32,
    pixels: Vec<u8>,
) -> image::DynamicImage {
    use image::{ColorType as C, DynamicImage as D, ImageBuffer as B};
    let wrong = "pixels of the size and colour made";
    match colour {
        C::L8 => D::ImageLuma8(B::from_raw(width, height, pixels).expect(wrong)),
        C::La8 => D::ImageLumaA8(B::from_raw(width, height, pixels).expect(wrong)),
        C::Rgb8 => D::ImageRgb8(B::from_raw(width, height, pixels).expect(wrong)),
        _ => D::ImageRgba8(B::from_raw(width, height, pixels).expect(wrong)),
    }
}

/// Multiplies each pixel's colour by its alpha (the last of `channels`), which image's
/// filter assumes; returns whether any pixel is less than opaque (else nothing changed).
fn premultiply<P>(image: &mut image::ImageBuffer<P, Vec<u8>>, channels: usize) -> bool
where
    P: image::Pixel<Subpixel = u8>,
{
    let data: &mut [u8] = image;
    if data
        .chunks_exact(channels)
        .all(|px| px[channels - 1] == 255)
    {
        return false;
    }
    for px in data.chunks_exact_mut(channels) {
        let alpha = u32::from(px[channels - 1]);
        for c in &mut px[..channels - 1] {
            *c = ((u32::from(*c) * alpha + 127) / 255) as u8;
        }
    }
    true
}

/// Undoes [`premultiply`] on resampled pixels (a fully transparent pixel's colour is 0).
fn unpremultiply(data: &mut [u8], channels: usize) {
    for px in data.chunks_exact_mut(channels) {
        let alpha = u32::from(px[channels - 1]);
        for c in &mut px[..channels - 1] {
            *c = match alpha {
                0 => 0,
                a => ((u32::from(*c) * 255 + a / 2) / a).min(255) as u8,
            };
        }
    }
}

/// Checks an image's header, metadata and every pixel within [`image_limits`]; returns its
/// stored size in pixels and EXIF orientation. Errors complete "image `<file>` …".
fn probe(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32, u8), String> {
    use image::ImageDecoder;
    use image_limits::*;
    let limits = |max_alloc: u64| {
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(max_alloc);
        limits
    };
    let too_big = |w: u64, h: u64| {
        format!(
            "is {w} × {h} pixels; an image may be at most {MAX_SIDE} pixels on a side and {} million pixels in all",
            MAX_PIXELS / 1_000_000
        )
    };
    let cursor = || std::io::Cursor::new(bytes);
    let (reader_format, kind) = match format {
        ImageFormat::Png => (image::ImageFormat::Png, "PNG"),
        ImageFormat::Jpeg => (image::ImageFormat::Jpeg, "JPEG"),
        ImageFormat::Cmyk => return Err("is separated pixels, not an image file".into()),
    };
    // First the header and metadata, within a small budget: an ICC chunk that inflates
    // to a gigabyte stops here.
    let (width, height, icc, orientation) = match format {
        ImageFormat::Png => {
            // No size limits yet: the size is reported below in pixels.
            let mut header_limits = image::Limits::default();
            header_limits.max_alloc = Some(MAX_METADATA_BYTES);
            let mut decoder = image::codecs::png::PngDecoder::with_limits(cursor(), header_limits)
                .map_err(|e| describe(e, "PNG"))?;
            let (w, h) = decoder.dimensions();
            let icc = decoder.icc_profile().map_err(|e| describe(e, "PNG"))?;
            let orientation = decoder.orientation().map_or(1, |o| o.to_exif());
            (w, h, icc, orientation)
        }
        ImageFormat::Jpeg => {
            // zune-jpeg, which image uses, reads the frame header with a size ceiling
            // before anything is allocated for the pixels.
            let options = zune_jpeg::zune_core::options::DecoderOptions::default()
                .set_max_width(MAX_SIDE as usize)
                .set_max_height(MAX_SIDE as usize);
            let mut decoder = zune_jpeg::JpegDecoder::new_with_options(cursor(), options);
            decoder
                .decode_headers()
                .map_err(|e| format!("is not a readable JPEG ({e})"))?;
            let (w, h) = decoder.dimensions().ok_or("has no JPEG frame header")?;
            let icc = decoder.icc_profile();
            let orientation = decoder
                .exif()
                .and_then(|exif| image::metadata::Orientation::from_exif_chunk(exif))
                .map_or(1, |o| o.to_exif());
            (w as u32, h as u32, icc, orientation)
        }
        ImageFormat::Cmyk => unreachable!("refused above"),
    };
    if width == 0 || height == 0 {
        return Err("has no pixels".into());
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_big(width.into(), height.into()));
    }
    // The PNG decoder drops an ICC chunk it cannot inflate within its budget without a
    // word; such a chunk is refused here rather than left for another reader to inflate.
    if format == ImageFormat::Png && icc.is_none() && png_has_chunk(bytes, b"iCCP") {
        return Err(format!(
            "embeds an ICC profile that does not inflate within {} MB",
            MAX_METADATA_BYTES >> 20
        ));
    }
    if let Some(icc) = &icc
        && icc.len() > MAX_ICC_BYTES
    {
        return Err(format!(
            "embeds an ICC profile of {} MB, more than the {} MB allowed",
            icc.len() >> 20,
            MAX_ICC_BYTES >> 20
        ));
    }
    // Then every pixel, so a truncated or corrupt file is refused before it is embedded.
    let mut reader = image::ImageReader::new(cursor());
    reader.set_format(reader_format);
    reader.limits(limits(MAX_DECODED_BYTES));
    reader.decode().map_err(|e| describe(e, kind))?;
    // The JPEG decoder is lenient and fills a truncated scan with grey; a JPEG whose last
    // scan has no end marker after it is cut off.
    if format == ImageFormat::Jpeg {
        let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
        let end = bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]);
        if !matches!((last_scan, end), (Some(scan), Some(end)) if end > scan) {
            return Err("is a truncated JPEG (no end-of-image marker after its last scan)".into());
        }
    }
    Ok((width, height, orientation))
}

/// Whether a PNG file has a chunk of this type before its image data.
fn png_has_chunk(bytes: &[u8], kind: &[u8; 4]) -> bool {
    let mut at = 8;
    while let Some(header) = bytes.get(at..at + 8) {
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let this = &header[4..8];
        if this == kind {
            return true;
        }
        if this == b"IDAT" {
            return false;
        }
        at = at.saturating_add(12).saturating_add(length);
    }
    false
}

/// A decoder error as a sentence, without Rust debug text.
fn describe(error: image::ImageError, kind: &str) -> String {
    match error {
        image::ImageError::Limits(_) => format!(
            "needs more memory to decode than an image may take ({} MB for its pixels, {} MB for its metadata)",
            image_limits::MAX_DECODED_BYTES >> 20,
            image_limits::MAX_METADATA_BYTES >> 20
        ),
        image::ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            format!("is a truncated {kind} (the file ends early)")
        }
        image::ImageError::IoError(e) => format!("cannot be read as a {kind}: {e}"),
        other => format!("is not a valid {kind}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageDecoder, ImageEncoder};

    fn png(image: &image::DynamicImage, icc: Option<&[u8]>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
        if let Some(icc) = icc {
            encoder.set_icc_profile(icc.to_vec()).unwrap();
        }
        encoder
            .write_image(
                image.as_bytes(),
                image.width(),
                image.height(),
                image.color().into(),
            )
            .unwrap();
        out
    }

    fn decode(bytes: &[u8]) -> (image::DynamicImage, Option<Vec<u8>>) {
        let mut decoder = image::codecs::png::PngDecoder::new(std::io::Cursor::new(bytes)).unwrap();
        let icc = decoder.icc_profile().unwrap();
        (image::DynamicImage::from_decoder(decoder).unwrap(), icc)
    }

    #[test]
    fn grey_stays_grey_and_its_profile_goes_with_it() {
        let grey = image::GrayImage::from_fn(400, 200, |x, _| image::Luma([(x % 256) as u8]));
        let icc = b"a grey profile's bytes".to_vec();
        let source = png(&image::DynamicImage::ImageLuma8(grey), Some(&icc));
        let out = resample(&source, ImageFormat::Png, 1, 100, 50).unwrap();
        let (made, kept) = decode(&out);
        assert_eq!(made.color(), image::ColorType::L8);
        assert_eq!((made.width(), made.height()), (100, 50));
        assert_eq!(kept, Some(icc));
        // The same bytes every time.
        assert_eq!(
            resample(&source, ImageFormat::Png, 1, 100, 50).unwrap(),
            out
        );
    }

    #[test]
    fn alpha_is_kept_and_transparent_edges_do_not_darken() {
        // A white disc on a transparent black ground: premultiplied filtering keeps the
        // edge white; filtering the colours as they are would pull it towards black.
        let disc = image::RgbaImage::from_fn(300, 300, |x, y| {
            let r = (x as f32 - 150.0).hypot(y as f32 - 150.0);
            if r < 100.0 {
                image::Rgba([255, 255, 255, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            }
        });
        let source = png(&image::DynamicImage::ImageRgba8(disc), None);
        let out = resample(&source, ImageFormat::Png, 1, 70, 70).unwrap();
        let (made, icc) = decode(&out);
        assert_eq!(icc, None, "an untagged image stays untagged");
        let made = made.as_rgba8().expect("RGBA stays RGBA").clone();
        assert_eq!(made.get_pixel(0, 0)[3], 0);
        assert_eq!(made.get_pixel(35, 35).0, [255, 255, 255, 255]);
        for px in made.pixels().filter(|p| p[3] > 8) {
            assert!(px[0] >= 250, "a darkened edge: {px:?}");
        }
    }

    #[test]
    fn the_exif_orientation_is_applied_before_resampling() {
        // Stored 40 × 20, its left half black; orientation 6 shows it turned a quarter
        // clockwise, 20 × 40, the black half on top.
        let stored =
            image::GrayImage::from_fn(40, 20, |x, _| image::Luma([if x < 20 { 0 } else { 255 }]));
        let source = png(&image::DynamicImage::ImageLuma8(stored), None);
        let out = resample(&source, ImageFormat::Png, 6, 10, 20).unwrap();
        let made = decode(&out).0.into_luma8();
        assert_eq!(made.dimensions(), (10, 20));
        assert!(made.get_pixel(5, 2)[0] < 10 && made.get_pixel(5, 17)[0] > 245);
    }

    #[test]
    fn a_wide_image_is_resampled_in_strips_within_the_work_area() {
        // 4000 × 2000 down to 3000 × 1500 takes 96 MB at once in one pass, over the budget:
        // strips of columns, then of rows, give the picture of the one-pass filter.
        let field = image::RgbImage::from_fn(4000, 2000, |x, y| {
            image::Rgb([(x / 16) as u8, (y / 8) as u8, 90])
        });
        let source = image::DynamicImage::ImageRgb8(field);
        const { assert!(16 * 4000 * 1500 > image_limits::MAX_RESAMPLE_BYTES) };
        let whole = source.resize_exact(3000, 1500, image::imageops::FilterType::Lanczos3);
        let strips = resize(source, 3000, 1500);
        assert_eq!(strips.color(), whole.color());
        let most = whole
            .as_bytes()
            .iter()
            .zip(strips.as_bytes())
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap();
        assert!(most <= 1, "strips differ from one pass by {most}");
    }
}
