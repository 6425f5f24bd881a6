//! Uploaded images: type from the bytes, decoded with limits, re-encoded without metadata.
//!
//! Everything here is synchronous and CPU-bound: callers run [`process`] in `spawn_blocking`,
//! after reserving the memory [`working_memory`] says it needs from a process-wide budget of
//! [`MEMORY_BUDGET`] bytes: an image is the pixels its header declares, not its file size
//! (a 150 KB PNG can declare 36 megapixels, 144 MB once decoded).
//! Nothing of the uploaded file survives but its pixels (and an RGB colour profile): EXIF
//! (GPS position, camera serial numbers), XMP, comments and bytes hidden after the image are all
//! left behind, because the output is a freshly encoded JPEG or PNG.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, GenericImageView, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits,
};

/// The most pixels an uploaded image may have (40 megapixels: well above any phone camera).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest edge an uploaded image may have, in pixels.
pub const MAX_EDGE: u32 = 16_384;
/// The memory all image work of the process may use at once: the uploaded files being worked
/// on, the decoders' buffers, the decoded pixels, their scaled copies and the encoders' output.
/// Every upload reserves what [`working_memory`] computes from its header before any of it is
/// allocated, and waits while the budget is taken; an image that needs more than the whole
/// budget is refused as having too many pixels. With it, image work stays under 256 MiB however
/// many uploads arrive at once (at most 40 megapixels is always accepted for 8-bit images; 16-bit
/// PNGs and large progressive JPEGs need more memory per pixel and are refused sooner).
pub const MEMORY_BUDGET: u64 = 256 * 1024 * 1024;
/// Decoders' own state (tables, rows, compression windows) beside the pixels, rounded up.
const DECODER_STATE: u64 = 1024 * 1024;
/// Journal images are scaled down to at most this many pixels on the long edge.
pub const JOURNAL_MAX_EDGE: u32 = 2560;
/// Profile photos become squares of at most this many pixels on a side.
pub const PROFILE_EDGE: u32 = 512;
/// JPEG quality of the re-encoded images.
const JPEG_QUALITY: u8 = 85;
/// Largest colour profile carried over to the output (real ones are a few kilobytes).
const MAX_ICC_PROFILE: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImagePurpose {
    JournalImage,
    ProfilePhoto,
}

/// A re-encoded image, ready to store.
pub struct ProcessedImage {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for ProcessedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessedImage")
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("content_type", &self.content_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Why an upload was refused. `Display` is a sentence for the person who uploaded it.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("This file is larger than {}.", human_size(*.limit_bytes))]
    TooLarge { limit_bytes: usize },
    #[error("This file is not a JPEG, PNG, WebP or GIF image.")]
    NotAnImage,
    #[error("This kind of image is not supported: please upload a JPEG, PNG, WebP or GIF image.")]
    Unsupported,
    #[error(
        "This image has too many pixels (at most 40 megapixels, fewer for some kinds of image, and at most 16384 \
         pixels on a side)."
    )]
    TooManyPixels,
    #[error("This image could not be read: the file may be damaged or incomplete.")]
    Corrupt,
}

impl ImageError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            ImageError::TooLarge { .. } => "file_too_large",
            ImageError::NotAnImage => "not_an_image",
            ImageError::Unsupported => "unsupported_image_type",
            ImageError::TooManyPixels => "image_too_many_pixels",
            ImageError::Corrupt => "image_unreadable",
        }
    }
}

pub use crate::domain::fields::human_size;

/// Content types we ever serve for uploads (the allow-list): what [`process`] produces.
pub fn is_served_type(content_type: &str) -> bool {
    matches!(content_type, "image/jpeg" | "image/png")
}

/// The most memory processing this upload will take at any one moment, in bytes, read from its
/// header alone; or why it is refused (not an image, too large, too many pixels). Reserve it
/// from a budget of [`MEMORY_BUDGET`] before calling [`process`].
pub fn working_memory(bytes: &[u8], purpose: ImagePurpose, max_bytes: usize) -> Result<u64, ImageError> {
    let (format, decoder) = open(bytes, max_bytes)?;
    let need = peak_memory(bytes, format, &decoder, purpose);
    if need > MEMORY_BUDGET {
        return Err(ImageError::TooManyPixels);
    }
    Ok(need)
}

/// Check, decode, scale, orient and re-encode an uploaded image.
pub fn process(bytes: &[u8], purpose: ImagePurpose, max_bytes: usize) -> Result<ProcessedImage, ImageError> {
    let (format, mut decoder) = open(bytes, max_bytes)?;
    if peak_memory(bytes, format, &decoder, purpose) > MEMORY_BUDGET {
        return Err(ImageError::TooManyPixels);
    }
    // Phone cameras store pixels sideways and say so in EXIF: turn them upright before EXIF goes.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc_profile = decoder.icc_profile().ok().flatten().filter(|p| is_rgb_icc_profile(p));
    // GIF (and animated WebP): the first frame.
    let image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    // Scaled before it is turned upright, so that the turn copies the small image, not the
    // large one (the fitting box is square and the profile crop centred: the result is the same).
    let mut image = match purpose {
        ImagePurpose::JournalImage => fit_within(image, JOURNAL_MAX_EDGE),
        ImagePurpose::ProfilePhoto => square(image, PROFILE_EDGE),
    };
    image.apply_orientation(orientation);
    encode(image, icc_profile)
}

/// The decoder for an upload, its header read and checked: the type comes from the bytes
/// alone (never from a file name or a declared content type), and the dimensions are checked
/// before any pixel buffer exists.
fn open(bytes: &[u8], max_bytes: usize) -> Result<(ImageFormat, impl ImageDecoder + '_), ImageError> {
    if bytes.len() > max_bytes {
        return Err(ImageError::TooLarge { limit_bytes: max_bytes });
    }
    let format = image::guess_format(bytes).map_err(|_| ImageError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) {
        return Err(ImageError::Unsupported);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MEMORY_BUDGET);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt);
    }
    if width > MAX_EDGE || height > MAX_EDGE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels);
    }
    Ok((format, decoder))
}

/// The most memory [`process`] holds at once for this image, phase by phase, each phase's
/// buffers alive together: the uploaded file throughout; then the decoder's working memory
/// beside the decoded pixels; then the decoded pixels beside their scaled copy; then the
/// scaled image and its upright copy; then the scaled image, its 8-bit copy for the encoder and
/// the encoder's growing output.
fn peak_memory(bytes: &[u8], format: ImageFormat, decoder: &impl ImageDecoder, purpose: ImagePurpose) -> u64 {
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    let decoded = decoder.total_bytes();
    let bytes_per_pixel = decoded.div_ceil(pixels.max(1));
    let (out_width, out_height) = output_size(width, height, purpose);
    let out_pixels = u64::from(out_width) * u64::from(out_height);
    let scaled = if (out_width, out_height) == (width, height) { 0 } else { out_pixels * bytes_per_pixel };
    let out_bytes = out_pixels * bytes_per_pixel;

    let decoding = decoded + decoder_scratch(bytes, format, width, height) + DECODER_STATE;
    let scaling = decoded + scaled;
    let turning = 2 * out_bytes;
    // The encoder's output grows by doubling: up to twice 4 bytes a pixel (PNG with alpha).
    let encoding = out_bytes + 3 * out_pixels + 2 * 4 * out_pixels;
    bytes.len() as u64 + decoding.max(scaling).max(turning).max(encoding)
}

/// What a decoder holds beside the pixels it returns, where that grows with the image.
fn decoder_scratch(bytes: &[u8], format: ImageFormat, width: u32, height: u32) -> u64 {
    let pixels = u64::from(width) * u64::from(height);
    match format {
        // A progressive JPEG keeps every DCT coefficient (2 bytes) of every component until
        // its last scan; a baseline one decodes a row of blocks at a time.
        ImageFormat::Jpeg => match jpeg_frame(bytes) {
            Some(frame) if frame.progressive => {
                let padded = u64::from(width.div_ceil(16) * 16) * u64::from(height.div_ceil(16) * 16);
                padded * 2 * frame.samples_per_pixel_x4 / 4
            }
            Some(_) => 0,
            // Unreadable here: assume the worst, four full-resolution components.
            None => pixels * 2 * 4,
        },
        // The frame's palette indices and its colours before they are placed on the canvas.
        ImageFormat::Gif => pixels * 5,
        // Colour planes, alpha and, for animations, the canvas beside the frame.
        ImageFormat::WebP => pixels * 8,
        // PNG decodes row by row into the output.
        _ => 0,
    }
}

/// What the cost of decoding a JPEG depends on, from its frame header (SOFn).
struct JpegFrame {
    progressive: bool,
    /// Component samples per pixel, times 4 (3 × 4 = 12 for full-resolution YCbCr, 6 for 4:2:0).
    samples_per_pixel_x4: u64,
}

/// Find and read a JPEG's frame header, walking the marker segments that precede it.
fn jpeg_frame(bytes: &[u8]) -> Option<JpegFrame> {
    let mut at = 2; // after SOI
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let length = usize::from(u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]));
        let segment = bytes.get(at + 4..at + 2 + length)?;
        match marker {
            // SOF0–SOF15, less DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let components = usize::from(*segment.get(5)?);
                let sampling: Vec<(u64, u64)> = (0..components)
                    .map(|i| segment.get(6 + 3 * i + 1).map(|s| (u64::from(s >> 4), u64::from(s & 0x0F))))
                    .collect::<Option<_>>()?;
                let h_max = sampling.iter().map(|s| s.0).max()?.max(1);
                let v_max = sampling.iter().map(|s| s.1).max()?.max(1);
                let samples_x4 = sampling.iter().map(|(h, v)| 4 * h * v / (h_max * v_max)).sum::<u64>();
                return Some(JpegFrame {
                    progressive: matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE),
                    samples_per_pixel_x4: samples_x4.max(1),
                });
            }
            // Start of scan before any frame header: not a JPEG we can read.
            0xDA => return None,
            _ => at += 2 + length,
        }
    }
}

/// The size [`process`] scales an image of `width`×`height` to (before it crops a profile
/// photo to its square and turns the image upright).
fn output_size(width: u32, height: u32, purpose: ImagePurpose) -> (u32, u32) {
    match purpose {
        ImagePurpose::JournalImage => fitted_size(width, height, JOURNAL_MAX_EDGE),
        ImagePurpose::ProfilePhoto => covering_size(width, height, PROFILE_EDGE),
    }
}

/// Scaled down (never up) so that the shorter edge is at most `edge`, keeping the aspect ratio.
fn covering_size(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let side = width.min(height);
    if side <= edge {
        return (width, height);
    }
    let scale = |length: u32| {
        let scaled = (u64::from(length) * u64::from(edge) + u64::from(side) / 2) / u64::from(side);
        u32::try_from(scaled).unwrap_or(u32::MAX).max(edge)
    };
    (scale(width), scale(height))
}

/// Scaled down (never up) so that neither edge exceeds `max_edge`, keeping the aspect ratio.
fn fitted_size(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    if width <= max_edge && height <= max_edge {
        return (width, height);
    }
    let ratio = f64::from(max_edge) / f64::from(width.max(height));
    let scale = |edge: u32| ((f64::from(edge) * ratio).round() as u32).clamp(1, max_edge);
    (scale(width), scale(height))
}

fn decode_error(err: image::ImageError) -> ImageError {
    match err {
        image::ImageError::Limits(_) => ImageError::TooManyPixels,
        image::ImageError::Unsupported(_) => ImageError::Unsupported,
        _ => ImageError::Corrupt,
    }
}

/// Scale down (never up) so that neither edge exceeds `max_edge`, keeping the aspect ratio.
///
/// Scaling averages the pixels each output pixel covers (`thumbnail`): it allocates only the
/// output, where the two-pass filters of `resize` make an intermediate image of 16 bytes a
/// pixel (245 MB for a 6000 × 6000 photo going to 2560 pixels).
fn fit_within(image: DynamicImage, max_edge: u32) -> DynamicImage {
    let (width, height) = fitted_size(image.width(), image.height(), max_edge);
    if (width, height) == image.dimensions() {
        image
    } else {
        image.thumbnail_exact(width, height)
    }
}

/// The centred square of the image, scaled down (never up) to at most `edge` pixels: scaled
/// first (so that only the small image is copied), then cropped.
fn square(image: DynamicImage, edge: u32) -> DynamicImage {
    let (width, height) = covering_size(image.width(), image.height(), edge);
    let scaled = if (width, height) == image.dimensions() { image } else { image.thumbnail_exact(width, height) };
    let side = width.min(height);
    if width == height {
        scaled
    } else {
        scaled.crop_imm((width - side) / 2, (height - side) / 2, side, side)
    }
}

/// A colour profile for RGB data (the only kind of pixels written), of a sane size.
fn is_rgb_icc_profile(profile: &[u8]) -> bool {
    profile.len() >= 128 && profile.len() <= MAX_ICC_PROFILE && &profile[16..20] == b"RGB "
}

/// JPEG for opaque images, PNG when some pixel is at least partly transparent.
fn encode(image: DynamicImage, icc_profile: Option<Vec<u8>>) -> Result<ProcessedImage, ImageError> {
    let (width, height) = (image.width(), image.height());
    let mut bytes = Vec::new();
    if has_transparency(&image) {
        let rgba = image.into_rgba8();
        let mut encoder = PngEncoder::new(&mut bytes);
        if let Some(profile) = icc_profile {
            let _ = encoder.set_icc_profile(profile);
        }
        encoder.write_image(rgba.as_raw(), width, height, ExtendedColorType::Rgba8).map_err(|_| ImageError::Corrupt)?;
        Ok(ProcessedImage { bytes, content_type: "image/png", extension: "png", width, height })
    } else {
        let rgb = image.into_rgb8();
        let mut encoder = JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY);
        if let Some(profile) = icc_profile {
            let _ = encoder.set_icc_profile(profile);
        }
        encoder.write_image(rgb.as_raw(), width, height, ExtendedColorType::Rgb8).map_err(|_| ImageError::Corrupt)?;
        Ok(ProcessedImage { bytes, content_type: "image/jpeg", extension: "jpg", width, height })
    }
}

/// Is some pixel less than fully opaque? Read in place: an alpha channel that is fully opaque
/// counts as none.
fn has_transparency(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageLumaA8(pixels) => pixels.pixels().any(|p| p.0[1] != u8::MAX),
        DynamicImage::ImageRgba8(pixels) => pixels.pixels().any(|p| p.0[3] != u8::MAX),
        DynamicImage::ImageLumaA16(pixels) => pixels.pixels().any(|p| p.0[1] != u16::MAX),
        DynamicImage::ImageRgba16(pixels) => pixels.pixels().any(|p| p.0[3] != u16::MAX),
        DynamicImage::ImageRgba32F(pixels) => pixels.pixels().any(|p| p.0[3] < 1.0),
        other => other.color().has_alpha() && other.to_rgba8().pixels().any(|p| p.0[3] != u8::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    const LIMIT: usize = 10 * 1024 * 1024;

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128]))
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        gradient(width, height).write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90)).unwrap();
        out
    }

    fn png(image: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// The payloads of the JPEG's APPn segments (marker, payload), up to the start of the scan.
    fn app_segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
        assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
        let mut segments = Vec::new();
        let mut at = 2;
        while at + 4 <= jpeg.len() && jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
            let marker = jpeg[at + 1];
            let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            if (0xE0..=0xEF).contains(&marker) {
                segments.push((marker, jpeg[at + 4..at + 2 + len].to_vec()));
            }
            at += 2 + len;
        }
        segments
    }

    /// The bytes of three RATIONALs for a GPS latitude (52° 31' 12.34"), distinctive enough that
    /// finding them in an output means the GPS data survived.
    const LATITUDE: [u8; 24] = [0, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0, 31, 0, 0, 0, 1, 0, 0, 0x04, 0xD2, 0, 0, 0, 100];

    /// An EXIF APP1 segment (marker included), big-endian TIFF, with an Orientation tag and
    /// optionally a GPS IFD (version, latitude ref, latitude, map datum "WGS-84 GPS").
    fn exif_segment(orientation: u16, with_gps: bool) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\x00\x2A\x00\x00\x00\x08"); // header; IFD0 at offset 8
        let ifd0_entries: u16 = if with_gps { 2 } else { 1 };
        let ifd0_len = 2 + 12 * usize::from(ifd0_entries) + 4;
        let gps_ifd_at = (8 + ifd0_len) as u32;
        // IFD0
        tiff.extend_from_slice(&ifd0_entries.to_be_bytes());
        tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]); // Orientation, SHORT, 1
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]);
        if with_gps {
            tiff.extend_from_slice(&[0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1]); // GPSInfo, LONG, 1
            tiff.extend_from_slice(&gps_ifd_at.to_be_bytes());
        }
        tiff.extend_from_slice(&[0, 0, 0, 0]); // no IFD1
        if with_gps {
            let entries: u16 = 4;
            let data_at = gps_ifd_at + 2 + 12 * u32::from(entries) + 4;
            let datum = b"WGS-84 GPS\0";
            tiff.extend_from_slice(&entries.to_be_bytes());
            tiff.extend_from_slice(&[0x00, 0x00, 0x00, 0x01, 0, 0, 0, 4, 2, 3, 0, 0]); // GPSVersionID
            tiff.extend_from_slice(&[0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, b'N', 0, 0, 0]); // GPSLatitudeRef
            tiff.extend_from_slice(&[0x00, 0x02, 0x00, 0x05, 0, 0, 0, 3]); // GPSLatitude, RATIONAL, 3
            tiff.extend_from_slice(&data_at.to_be_bytes());
            tiff.extend_from_slice(&[0x00, 0x12, 0x00, 0x02, 0, 0, 0, datum.len() as u8]); // GPSMapDatum
            tiff.extend_from_slice(&(data_at + LATITUDE.len() as u32).to_be_bytes());
            tiff.extend_from_slice(&[0, 0, 0, 0]);
            assert_eq!(tiff.len() as u32, data_at);
            tiff.extend_from_slice(&LATITUDE);
            tiff.extend_from_slice(datum);
        }
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        segment.extend_from_slice(&payload);
        segment
    }

    /// `jpeg` with `segment` inserted right after the SOI marker.
    fn with_segment(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(segment);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(kind);
        chunk.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        chunk.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        chunk
    }

    /// A PNG whose header claims `width`×`height` RGBA pixels, with a few bytes of image data.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        png_claiming_bits(width, height, 8)
    }

    /// The same, with `bits` (8 or 16) per channel.
    fn png_claiming_bits(width: u32, height: u32, bits: u8) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[bits, 6, 0, 0, 0]); // RGBA, deflate, adaptive, no interlace
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(png_chunk(b"IHDR", &ihdr));
        out.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
        out.extend(png_chunk(b"IEND", &[]));
        out
    }

    #[test]
    fn a_jpeg_round_trips() {
        let out = process(&jpeg(64, 48), ImagePurpose::JournalImage, LIMIT).unwrap();
        assert_eq!((out.content_type, out.extension, out.width, out.height), ("image/jpeg", "jpg", 64, 48));
        let decoded = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (64, 48));
        assert_eq!(image::guess_format(&out.bytes).unwrap(), ImageFormat::Jpeg);
    }

    #[test]
    fn an_opaque_png_becomes_a_jpeg() {
        let out = process(&png(&DynamicImage::ImageRgb8(gradient(30, 20))), ImagePurpose::JournalImage, LIMIT).unwrap();
        assert_eq!((out.content_type, out.width, out.height), ("image/jpeg", 30, 20));
        // An alpha channel that is fully opaque counts as none.
        let opaque = DynamicImage::ImageRgba8(RgbaImage::from_pixel(10, 10, Rgba([1, 2, 3, 255])));
        assert_eq!(process(&png(&opaque), ImagePurpose::JournalImage, LIMIT).unwrap().content_type, "image/jpeg");
    }

    #[test]
    fn a_transparent_png_stays_png_with_its_transparency() {
        let image = RgbaImage::from_fn(40, 40, |x, _| Rgba([200, 10, 10, if x < 20 { 0 } else { 255 }]));
        let out = process(&png(&DynamicImage::ImageRgba8(image)), ImagePurpose::JournalImage, LIMIT).unwrap();
        assert_eq!((out.content_type, out.extension), ("image/png", "png"));
        let decoded = image::load_from_memory(&out.bytes).unwrap().to_rgba8();
        assert_eq!(decoded.get_pixel(5, 5).0[3], 0);
        assert_eq!(decoded.get_pixel(35, 5).0[3], 255);
    }

    #[test]
    fn exif_and_gps_data_are_stripped() {
        let input = with_segment(&jpeg(32, 32), &exif_segment(1, true));
        assert!(contains(&input, b"Exif\0\0") && contains(&input, b"GPS") && contains(&input, &LATITUDE));
        assert!(app_segments(&input).iter().any(|(m, p)| *m == 0xE1 && p.starts_with(b"Exif")));

        let out = process(&input, ImagePurpose::JournalImage, LIMIT).unwrap();
        assert_eq!(out.content_type, "image/jpeg");
        assert!(!app_segments(&out.bytes).iter().any(|(m, _)| *m == 0xE1), "no APP1 (EXIF/XMP) segment");
        assert!(!contains(&out.bytes, b"Exif"));
        assert!(!contains(&out.bytes, b"GPS"));
        assert!(!contains(&out.bytes, &LATITUDE));
    }

    #[test]
    fn an_rgb_colour_profile_is_kept_and_others_dropped() {
        let icc_segment = |space: &[u8; 4]| {
            let mut profile = vec![0u8; 200];
            profile[16..20].copy_from_slice(space);
            profile[100..110].copy_from_slice(b"PROFILE-ID");
            let mut payload = b"ICC_PROFILE\0\x01\x01".to_vec();
            payload.extend_from_slice(&profile);
            let mut segment = vec![0xFF, 0xE2];
            segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
            segment.extend_from_slice(&payload);
            segment
        };
        let rgb = process(&with_segment(&jpeg(16, 16), &icc_segment(b"RGB ")), ImagePurpose::JournalImage, LIMIT);
        assert!(contains(&rgb.unwrap().bytes, b"PROFILE-ID"));
        let gray = process(&with_segment(&jpeg(16, 16), &icc_segment(b"GRAY")), ImagePurpose::JournalImage, LIMIT);
        assert!(!contains(&gray.unwrap().bytes, b"PROFILE-ID"));
    }

    #[test]
    fn trailing_bytes_are_dropped() {
        let mut input = jpeg(16, 16);
        input.extend_from_slice(b"<script>alert(1)</script>");
        let out = process(&input, ImagePurpose::JournalImage, LIMIT).unwrap();
        assert!(!contains(&out.bytes, b"<script>"));
    }

    #[test]
    fn orientation_6_turns_the_image_upright() {
        let input = with_segment(&jpeg(40, 20), &exif_segment(6, false));
        let out = process(&input, ImagePurpose::JournalImage, LIMIT).unwrap();
        assert_eq!((out.width, out.height), (20, 40));
        let decoded = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (20, 40));
    }

    #[test]
    fn html_named_like_a_jpeg_is_refused() {
        let html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
        let err = process(html, ImagePurpose::JournalImage, LIMIT).unwrap_err();
        assert_eq!(err, ImageError::NotAnImage);
        assert_eq!(err.code(), "not_an_image");
        for other in [
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"[..],
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n",
            b"just some text",
            b"",
        ] {
            assert_eq!(process(other, ImagePurpose::JournalImage, LIMIT).unwrap_err(), ImageError::NotAnImage);
        }
        // Recognised, but not a type we accept.
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 60]);
        assert_eq!(process(&bmp, ImagePurpose::JournalImage, LIMIT).unwrap_err(), ImageError::Unsupported);
    }

    #[test]
    fn a_pixel_bomb_is_refused_without_decoding() {
        let bomb = png_claiming(100_000, 100_000);
        let started = std::time::Instant::now();
        let err = process(&bomb, ImagePurpose::JournalImage, LIMIT).unwrap_err();
        assert_eq!(err, ImageError::TooManyPixels);
        assert_eq!(err.code(), "image_too_many_pixels");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Within the edge limit, over the pixel limit.
        assert_eq!(
            process(&png_claiming(8000, 6000), ImagePurpose::JournalImage, LIMIT).unwrap_err(),
            ImageError::TooManyPixels
        );
        // A valid header with too little data is damaged, not a bomb.
        assert_eq!(process(&png_claiming(50, 50), ImagePurpose::JournalImage, LIMIT).unwrap_err(), ImageError::Corrupt);
    }

    #[test]
    fn every_8_bit_image_up_to_40_megapixels_fits_the_memory_budget() {
        for purpose in [ImagePurpose::JournalImage, ImagePurpose::ProfilePhoto] {
            let need = working_memory(&png_claiming(8000, 5000), purpose, LIMIT).unwrap();
            assert!(need >= 8000 * 5000 * 4, "at least the decoded pixels: {need}");
            assert!(need <= MEMORY_BUDGET, "{need}");
        }
        // The review's image: 144 MB of pixels, so that two are never decoded at once.
        let need = working_memory(&png_claiming(6000, 6000), ImagePurpose::JournalImage, LIMIT).unwrap();
        assert!(need > MEMORY_BUDGET / 2 && need < MEMORY_BUDGET, "{need}");
        // Sixteen bits a channel: twice the memory, more than the whole budget.
        let deep = png_claiming_bits(8000, 5000, 16);
        assert_eq!(working_memory(&deep, ImagePurpose::JournalImage, LIMIT), Err(ImageError::TooManyPixels));
        assert_eq!(process(&deep, ImagePurpose::JournalImage, LIMIT).unwrap_err(), ImageError::TooManyPixels);
        // Small images need little.
        let small = working_memory(&jpeg(64, 48), ImagePurpose::JournalImage, LIMIT).unwrap();
        assert!(small < 2 * 1024 * 1024, "{small}");
    }

    #[test]
    fn a_progressive_jpeg_counts_its_coefficients() {
        let baseline = jpeg(64, 48);
        let frame = jpeg_frame(&baseline).expect("a frame header");
        assert!(!frame.progressive);
        assert!((4..=12).contains(&frame.samples_per_pixel_x4), "{}", frame.samples_per_pixel_x4);
        // The same header marked progressive (SOF2).
        let sof0 = baseline.windows(2).position(|w| w == [0xFF, 0xC0]).expect("SOF0");
        let mut progressive = baseline.clone();
        progressive[sof0 + 1] = 0xC2;
        assert!(jpeg_frame(&progressive).expect("a frame header").progressive);
        assert_eq!(decoder_scratch(&baseline, ImageFormat::Jpeg, 4000, 4000), 0);
        let coefficients = decoder_scratch(&progressive, ImageFormat::Jpeg, 4000, 4000);
        assert_eq!(coefficients, 4000 * 4000 * 2 * frame.samples_per_pixel_x4 / 4);
        assert!(jpeg_frame(b"\xFF\xD8\xFF").is_none(), "a damaged header is no frame");
    }

    #[test]
    fn a_truncated_image_is_corrupt() {
        let full = png(&DynamicImage::ImageRgb8(gradient(64, 64)));
        let err = process(&full[..full.len() / 2], ImagePurpose::JournalImage, LIMIT).unwrap_err();
        assert_eq!((err.clone(), err.code()), (ImageError::Corrupt, "image_unreadable"));
    }

    #[test]
    fn an_oversized_file_is_refused_first() {
        let err = process(&[0u8; 2049], ImagePurpose::JournalImage, 2048).unwrap_err();
        assert_eq!(err, ImageError::TooLarge { limit_bytes: 2048 });
        assert_eq!(err.code(), "file_too_large");
        assert_eq!(ImageError::TooLarge { limit_bytes: LIMIT }.to_string(), "This file is larger than 10 MB.");
        assert_eq!(ImageError::TooLarge { limit_bytes: 1536 * 1024 }.to_string(), "This file is larger than 1.5 MB.");
        assert!(process(&jpeg(8, 8), ImagePurpose::JournalImage, 100).is_err());
    }

    #[test]
    fn large_journal_images_are_scaled_to_fit() {
        let out = process(&jpeg(3000, 1000), ImagePurpose::JournalImage, LIMIT).unwrap();
        assert_eq!((out.width, out.height), (2560, 853));
    }

    #[test]
    fn profile_photos_become_squares() {
        let big = process(&jpeg(800, 600), ImagePurpose::ProfilePhoto, LIMIT).unwrap();
        assert_eq!((big.width, big.height), (512, 512));
        let small = process(&jpeg(300, 200), ImagePurpose::ProfilePhoto, LIMIT).unwrap();
        assert_eq!((small.width, small.height), (200, 200));
        let decoded = image::load_from_memory(&small.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (200, 200));
    }

    #[test]
    fn gif_and_webp_are_accepted() {
        let image = DynamicImage::ImageRgba8(RgbaImage::from_pixel(12, 9, Rgba([10, 200, 30, 255])));
        for format in [ImageFormat::Gif, ImageFormat::WebP] {
            let mut bytes = Cursor::new(Vec::new());
            image.write_to(&mut bytes, format).unwrap();
            let out = process(bytes.get_ref(), ImagePurpose::JournalImage, LIMIT).unwrap();
            assert_eq!((out.content_type, out.width, out.height), ("image/jpeg", 12, 9), "{format:?}");
        }
    }

    #[test]
    fn only_the_output_types_are_served() {
        assert!(is_served_type("image/jpeg") && is_served_type("image/png"));
        for other in ["image/svg+xml", "text/html", "image/gif", "image/webp", "application/pdf", "IMAGE/PNG", ""] {
            assert!(!is_served_type(other), "{other}");
        }
    }
}

#[cfg(test)]
mod properties;
