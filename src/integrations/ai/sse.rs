//! Server-sent events, read from a response body as it arrives: `event:` and `data:` lines,
//! an event ending at a blank line. Comments (`:`) and other fields are skipped; `\r\n` and `\n`
//! both end a line.

use super::AiError;

/// One event: its name (empty when none was given) and its data lines joined by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub data: String,
}

/// Bytes in, events out.
#[derive(Default)]
pub struct Reader {
    pending: Vec<u8>,
    /// How much of `pending` is known to hold no line end, so it is not searched again.
    scanned: usize,
    name: String,
    data: Vec<String>,
}

/// One line of a stream may not be longer than this: no provider sends such lines, and a
/// server that never ends a line must not fill memory.
const MAX_LINE: usize = 4 * 1024 * 1024;

impl Reader {
    /// Add bytes; returns the events they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Event>, AiError> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(offset) = self.pending[self.scanned..].iter().position(|&b| b == b'\n') {
            let end = self.scanned + offset;
            self.scanned = 0;
            let mut line: Vec<u8> = self.pending.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            if let Some(event) = self.line(&line) {
                events.push(event);
            }
        }
        self.scanned = self.pending.len();
        if self.pending.len() > MAX_LINE {
            return Err(AiError::Protocol("a line of the event stream is far too long".into()));
        }
        Ok(events)
    }

    /// The stream ended: an event not yet closed by a blank line still counts.
    pub fn finish(&mut self) -> Option<Event> {
        self.scanned = 0;
        let rest = String::from_utf8_lossy(&std::mem::take(&mut self.pending)).into_owned();
        let mut last = None;
        if !rest.is_empty() {
            last = self.line(rest.trim_end_matches('\r'));
        }
        last.or_else(|| self.line(""))
    }

    fn line(&mut self, line: &str) -> Option<Event> {
        if line.is_empty() {
            if self.data.is_empty() && self.name.is_empty() {
                return None;
            }
            let event = Event { name: std::mem::take(&mut self.name), data: self.data.join("\n") };
            self.data.clear();
            return Some(event);
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.name = value.to_owned(),
            "data" => self.data.push(value.to_owned()),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_whatever_the_chunking() {
        let stream = "event: message_start\ndata: {\"a\":1}\n\n: a comment\r\nevent: ping\r\ndata: {}\r\n\r\ndata: one\ndata: two\n\nid: 7\ndata: [DONE]";
        let want = vec![
            Event { name: "message_start".into(), data: "{\"a\":1}".into() },
            Event { name: "ping".into(), data: "{}".into() },
            Event { name: String::new(), data: "one\ntwo".into() },
            Event { name: String::new(), data: "[DONE]".into() },
        ];
        for chunk in [1, 2, 3, 7, 1000] {
            let mut reader = Reader::default();
            let mut got = Vec::new();
            for piece in stream.as_bytes().chunks(chunk) {
                got.extend(reader.push(piece).unwrap());
            }
            got.extend(reader.finish());
            assert_eq!(got, want, "chunks of {chunk}");
        }
    }

    #[test]
    fn a_line_that_never_ends_is_refused() {
        let mut reader = Reader::default();
        assert!(reader.push(&vec![b'x'; MAX_LINE + 1]).is_err());
    }
}
