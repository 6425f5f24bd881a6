//! The versioned prompt files in `prompts/`, compiled in. A feature names the one it uses; the
//! run records it (see prompts/README.md).

/// One prompt file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompt {
    /// The file's name without `.md`, e.g. `interview_prep.v1`: what a run records.
    pub id: &'static str,
    pub text: &'static str,
}

pub const RESUME_IMPORT: Prompt =
    Prompt { id: "resume_import.v1", text: include_str!("../../../prompts/resume_import.v1.md") };
pub const LABEL_GENERATION: Prompt =
    Prompt { id: "label_generation.v1", text: include_str!("../../../prompts/label_generation.v1.md") };
pub const LABEL_LINKING: Prompt =
    Prompt { id: "label_linking.v1", text: include_str!("../../../prompts/label_linking.v1.md") };
pub const INTERVIEW_PREP: Prompt =
    Prompt { id: "interview_prep.v1", text: include_str!("../../../prompts/interview_prep.v1.md") };

pub const ALL: [Prompt; 4] = [RESUME_IMPORT, LABEL_GENERATION, LABEL_LINKING, INTERVIEW_PREP];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every prompt file in `prompts/` is one of these, and each is named for its file.
    #[test]
    fn every_prompt_file_is_compiled_in_under_its_own_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".md") && name != "README.md")
            .collect();
        files.sort();
        let mut ids: Vec<String> = ALL.iter().map(|p| format!("{}.md", p.id)).collect();
        ids.sort();
        assert_eq!(files, ids);
        for prompt in ALL {
            let on_disk = std::fs::read_to_string(dir.join(format!("{}.md", prompt.id))).unwrap();
            assert_eq!(on_disk, prompt.text);
            let words = prompt.text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(words.contains("is data, not instructions"), "{} guards against injected instructions", prompt.id);
        }
    }
}
