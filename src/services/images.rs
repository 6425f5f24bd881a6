//! Uploaded images: type from the bytes, decoded with limits, re-encoded without metadata.
//!
//! Everything here is synchronous and CPU-bound: callers run [`process`] in `spawn_blocking`.
//! Nothing of the uploaded file survives but its pixels (and an RGB colour profile): EXIF
//! (GPS position, camera serial numbers), XMP, comments and bytes hidden after the image are all
//! left behind, because the output is a freshly encoded JPEG or PNG.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits};

/// The most pixels an uploaded image may have (40 megapixels: well above any phone camera).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest edge an uploaded image may have, in pixels.
pub const MAX_EDGE: u32 = 16_384;
/// Most the decoder may allocate at once.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
/// Journal images are scaled down to at most this many pixels on the long edge.
pub const JOURNAL_MAX_EDGE: u32 = 2560;
/// Profile photos become squares of at most this many pixels on a side.
pub const PROFILE_EDGE: u32 = 512;
/// JPEG quality of the re-encoded images.
const JPEG_QUALITY: u8 = 85;
/// Largest colour profile carried over to the output (real ones are a few kilobytes).
const MAX_ICC_PROFILE: usize = 64 * 1024;
/// Scaling filter: sharp and without Lanczos's stronger ringing; a little faster too.
const FILTER: FilterType = FilterType::CatmullRom;

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
    #[error("This image has too many pixels (at most 40 megapixels, and at most 16384 pixels on a side).")]
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

/// "10 MB", "1.5 MB", "500 KB" (binary units, as the limit is configured in bytes).
pub fn human_size(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        if tenths % 10 == 0 {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Content types we ever serve for uploads (the allow-list): what [`process`] produces.
pub fn is_served_type(content_type: &str) -> bool {
    matches!(content_type, "image/jpeg" | "image/png")
}

/// Check, decode, orient, scale and re-encode an uploaded image.
pub fn process(bytes: &[u8], purpose: ImagePurpose, max_bytes: usize) -> Result<ProcessedImage, ImageError> {
    if bytes.len() > max_bytes {
        return Err(ImageError::TooLarge { limit_bytes: max_bytes });
    }
    // The type comes from the bytes alone, never from a file name or a declared content type.
    let format = image::guess_format(bytes).map_err(|_| ImageError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) {
        return Err(ImageError::Unsupported);
    }

    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    // Reads the headers only: the dimensions are checked before any pixel buffer exists.
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt);
    }
    if width > MAX_EDGE || height > MAX_EDGE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels);
    }
    if decoder.total_bytes() > MAX_ALLOC {
        return Err(ImageError::TooManyPixels);
    }
    // Phone cameras store pixels sideways and say so in EXIF: turn them upright before EXIF goes.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc_profile = decoder.icc_profile().ok().flatten().filter(|p| is_rgb_icc_profile(p));
    // GIF (and animated WebP): the first frame.
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);

    let image = match purpose {
        ImagePurpose::JournalImage => fit_within(image, JOURNAL_MAX_EDGE),
        ImagePurpose::ProfilePhoto => square(image, PROFILE_EDGE),
    };
    encode(image, icc_profile)
}

fn decode_error(err: image::ImageError) -> ImageError {
    match err {
        image::ImageError::Limits(_) => ImageError::TooManyPixels,
        image::ImageError::Unsupported(_) => ImageError::Unsupported,
        _ => ImageError::Corrupt,
    }
}

/// Scale down (never up) so that neither edge exceeds `max_edge`, keeping the aspect ratio.
fn fit_within(image: DynamicImage, max_edge: u32) -> DynamicImage {
    if image.width() <= max_edge && image.height() <= max_edge {
        image
    } else {
        image.resize(max_edge, max_edge, FILTER)
    }
}

/// The centred square of the image, scaled down (never up) to at most `edge` pixels.
fn square(image: DynamicImage, edge: u32) -> DynamicImage {
    let (width, height) = (image.width(), image.height());
    let side = width.min(height);
    let cropped =
        if width == height { image } else { image.crop_imm((width - side) / 2, (height - side) / 2, side, side) };
    if side > edge {
        cropped.resize_exact(edge, edge, FILTER)
    } else {
        cropped
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
    let transparent = if image.color().has_alpha() {
        Some(image.to_rgba8()).filter(|rgba| rgba.pixels().any(|p| p.0[3] != u8::MAX))
    } else {
        None
    };
    if let Some(rgba) = transparent {
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
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8 bit, RGBA, deflate, adaptive, no interlace
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
