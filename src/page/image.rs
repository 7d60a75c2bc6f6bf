//! Images on a page: the file's bytes as they go into the PDF, checked once on loading
//! (format, size, metadata, every pixel) so that no later stage meets a bad image.

use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

/// An image file's bytes, passed to the PDF unchanged.
#[derive(Debug)]
pub struct ImageData {
    pub bytes: Arc<Vec<u8>>,
    pub format: ImageFormat,
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
    /// The finest resolution an image is embedded at, in pixels per inch; above it the
    /// image is refused (not downsampled: broadside never re-encodes images).
    pub const MAX_PPI: f32 = 1200.0;
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
            width_px,
            height_px,
            orientation,
        })
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
    reader.set_format(match format {
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
    });
    reader.limits(limits(MAX_DECODED_BYTES));
    let kind = match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
    };
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
