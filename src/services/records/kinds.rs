//! The kinds of record: for each, its table, its draft and how it is validated, checked and
//! written. Pages add their templates on top (see `web::records::Resource`).

use sqlx::AnyConnection;

use crate::clock::Timestamp;
use crate::db::career::{self, Achievement, Certification, Education, Experience, Project, Skill};
use crate::db::contacts::LinkedTo;
use crate::db::contacts::{self, Contact};
use crate::db::interviews::{self, Interview};
use crate::db::journal::{self, JournalEntry};
use crate::db::lists::{self, Table};
use crate::db::notes::{self, Note};
use crate::db::opportunities::{self, Opportunity};
use crate::db::tasks::{self, Task};
use crate::db::{uploads, Db};
use crate::domain::career::{
    AchievementDraft, AchievementInput, AchievementWrite, CertificationDraft, CertificationInput, CertificationWrite,
    EducationDraft, EducationInput, EducationWrite, ExperienceDraft, ExperienceInput, ExperienceWrite, JournalDraft,
    JournalInput, JournalWrite, ProjectDraft, ProjectInput, ProjectWrite, SkillDraft, SkillInput, SkillWrite,
};
use crate::domain::contacts::{ContactDraft, ContactInput, ContactWrite};
use crate::domain::interviews::{InterviewDraft, InterviewInput, InterviewWrite};
use crate::domain::notes::{NoteDraft, NoteInput, NoteWrite};
use crate::domain::opportunities::{OpportunityDraft, OpportunityInput, OpportunityWrite};
use crate::domain::records::RecordKind;
use crate::domain::search::SearchText;
use crate::domain::tasks::{TaskDraft, TaskInput, TaskWrite};
use crate::domain::FieldErrors;
use crate::domain::UserId;
use crate::services::records::{label_text, HasContacts, RecordType};
use crate::services::ServiceResult;

crate::labelled!(
    Experience,
    Skill,
    Project,
    Achievement,
    Education,
    Certification,
    JournalEntry,
    Opportunity,
    Contact,
    Interview,
    Note,
    Task
);

pub struct Experiences;

#[async_trait::async_trait]
impl RecordType for Experiences {
    const TABLE: &'static Table = &career::EXPERIENCES;
    type Row = Experience;
    type Draft = ExperienceDraft;
    type Write = ExperienceWrite;
    type Input = ExperienceInput;

    fn blank(_: Timestamp) -> ExperienceDraft {
        ExperienceDraft::blank()
    }
    fn draft_of(row: &Experience) -> ExperienceDraft {
        ExperienceDraft {
            role: row.role.clone(),
            company: row.company.clone(),
            location: row.location.clone(),
            start_date: row.start_date.clone(),
            end_date: row.end_date.clone().unwrap_or_default(),
            current: row.is_current.get(),
            description: row.description.clone(),
            highlights: row.highlights.0.join("\n"),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &ExperienceInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Experience) -> SearchText {
        let title = format!("{} at {}", row.role, row.company);
        let highlights = row.highlights.0.iter().map(String::as_str);
        SearchText::new(&title, [row.location.as_str(), &row.description].into_iter().chain(highlights))
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &ExperienceInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_experience(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &ExperienceInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_experience(c, u, id, i, now).await
    }
}

pub struct Skills;

#[async_trait::async_trait]
impl RecordType for Skills {
    const TABLE: &'static Table = &career::SKILLS;
    type Row = Skill;
    type Draft = SkillDraft;
    type Write = SkillWrite;
    type Input = SkillInput;

    fn blank(_: Timestamp) -> SkillDraft {
        SkillDraft::blank()
    }
    fn draft_of(row: &Skill) -> SkillDraft {
        SkillDraft {
            name: row.name.clone(),
            category: row.category.clone(),
            level: row.level.clone(),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &SkillInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Skill) -> SearchText {
        SearchText::new(&row.name, [row.category.as_str()])
    }
    fn conflict(input: &SkillInput) -> Option<(&'static str, String)> {
        Some(("name", format!("You already have a skill called “{}”.", input.name)))
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &SkillInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_skill(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &SkillInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_skill(c, u, id, i, now).await
    }
}

pub struct Projects;

#[async_trait::async_trait]
impl RecordType for Projects {
    const TABLE: &'static Table = &career::PROJECTS;
    type Row = Project;
    type Draft = ProjectDraft;
    type Write = ProjectWrite;
    type Input = ProjectInput;

    fn blank(_: Timestamp) -> ProjectDraft {
        ProjectDraft::blank()
    }
    fn draft_of(row: &Project) -> ProjectDraft {
        ProjectDraft {
            name: row.name.clone(),
            role: row.role.clone(),
            kind: row.kind.to_string(),
            description: row.description.clone(),
            url: row.url.clone().unwrap_or_default(),
            start_date: row.start_date.clone().unwrap_or_default(),
            end_date: row.end_date.clone().unwrap_or_default(),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &ProjectInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Project) -> SearchText {
        SearchText::new(&row.name, [row.role.as_str(), &row.kind, &row.description])
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &ProjectInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_project(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &ProjectInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_project(c, u, id, i, now).await
    }
}

pub struct Achievements;

#[async_trait::async_trait]
impl RecordType for Achievements {
    const TABLE: &'static Table = &career::ACHIEVEMENTS;
    type Row = Achievement;
    type Draft = AchievementDraft;
    type Write = AchievementWrite;
    type Input = AchievementInput;

    fn blank(_: Timestamp) -> AchievementDraft {
        AchievementDraft::blank()
    }
    fn draft_of(row: &Achievement) -> AchievementDraft {
        AchievementDraft {
            title: row.title.clone(),
            date: row.achieved_on.clone().unwrap_or_default(),
            description: row.description.clone(),
            experience_id: row.experience_id.clone().unwrap_or_default(),
            project_id: row.project_id.clone().unwrap_or_default(),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &AchievementInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Achievement) -> SearchText {
        let context = [row.experience_title.as_deref(), row.project_title.as_deref()].into_iter().flatten();
        SearchText::new(&row.title, [row.description.as_str()].into_iter().chain(context))
    }
    /// An achievement may only belong to the user's own experience and project.
    async fn check(db: &Db, user_id: &UserId, input: &AchievementInput) -> ServiceResult<FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(id) = &input.experience_id {
            if !lists::exists(db.pool(), &career::EXPERIENCES, user_id, id).await? {
                errors.add("experience_id", "Choose one of your experiences.");
            }
        }
        if let Some(id) = &input.project_id {
            if !lists::exists(db.pool(), &career::PROJECTS, user_id, id).await? {
                errors.add("project_id", "Choose one of your projects.");
            }
        }
        Ok(errors)
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &AchievementInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_achievement(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &AchievementInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_achievement(c, u, id, i, now).await
    }
}

pub struct EducationRecords;

#[async_trait::async_trait]
impl RecordType for EducationRecords {
    const TABLE: &'static Table = &career::EDUCATION;
    type Row = Education;
    type Draft = EducationDraft;
    type Write = EducationWrite;
    type Input = EducationInput;

    fn blank(_: Timestamp) -> EducationDraft {
        EducationDraft::blank()
    }
    fn draft_of(row: &Education) -> EducationDraft {
        EducationDraft {
            institution: row.institution.clone(),
            area: row.area.clone(),
            study_type: row.study_type.clone(),
            start_date: row.start_date.clone().unwrap_or_default(),
            end_date: row.end_date.clone().unwrap_or_default(),
            score: row.score.clone(),
            url: row.url.clone().unwrap_or_default(),
            courses: row.courses.0.join("\n"),
            description: row.description.clone(),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &EducationInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Education) -> SearchText {
        let courses = row.courses.0.iter().map(String::as_str);
        SearchText::new(
            &row.institution,
            [row.study_type.as_str(), &row.area, &row.description].into_iter().chain(courses),
        )
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &EducationInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_education(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &EducationInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_education(c, u, id, i, now).await
    }
}

pub struct Certifications;

#[async_trait::async_trait]
impl RecordType for Certifications {
    const TABLE: &'static Table = &career::CERTIFICATIONS;
    type Row = Certification;
    type Draft = CertificationDraft;
    type Write = CertificationWrite;
    type Input = CertificationInput;

    fn blank(_: Timestamp) -> CertificationDraft {
        CertificationDraft::blank()
    }
    fn draft_of(row: &Certification) -> CertificationDraft {
        CertificationDraft {
            name: row.name.clone(),
            issuer: row.issuer.clone(),
            date: row.issued_on.clone().unwrap_or_default(),
            url: row.url.clone().unwrap_or_default(),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &CertificationInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Certification) -> SearchText {
        SearchText::new(&row.name, [row.issuer.as_str()])
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &CertificationInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_certification(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &CertificationInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_certification(c, u, id, i, now).await
    }
}

pub struct Journal;

#[async_trait::async_trait]
impl RecordType for Journal {
    const TABLE: &'static Table = &journal::JOURNAL;
    type Row = JournalEntry;
    type Draft = JournalDraft;
    type Write = JournalWrite;
    type Input = JournalInput;

    fn blank(now: Timestamp) -> JournalDraft {
        JournalDraft::blank(now.date())
    }
    fn draft_of(row: &JournalEntry) -> JournalDraft {
        JournalDraft {
            title: row.title.clone(),
            entry_date: row.entry_date.clone(),
            body: row.body.clone(),
            is_public: row.is_public.get(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &JournalInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &JournalEntry) -> SearchText {
        SearchText::new(&row.title, [row.body.as_str()])
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &JournalInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        journal::insert_journal_entry(c, u, id, i, now).await?;
        // Images pasted before this first save wait as drafts: the entry takes those it links to.
        uploads::claim_drafts(c, u, id, &crate::services::journal::image_ids_in(&i.body)).await?;
        Ok(())
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &JournalInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        let updated = journal::update_journal_entry(c, u, id, i, now).await?;
        if updated {
            uploads::claim_drafts(c, u, id, &crate::services::journal::image_ids_in(&i.body)).await?;
        }
        Ok(updated)
    }
    async fn before_delete(
        conn: &mut AnyConnection,
        user_id: &UserId,
        id: &str,
        now: Timestamp,
    ) -> Result<Vec<String>, sqlx::Error> {
        uploads::delete_for_entry(conn, user_id, id, now).await
    }
    async fn enrich(db: &Db, user_id: &UserId, rows: &mut [JournalEntry]) -> ServiceResult<()> {
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut images = uploads::images_of_entries(db.pool(), user_id, &ids).await?;
        for row in rows.iter_mut() {
            row.images = images.remove(&row.id).unwrap_or_default();
        }
        Ok(())
    }
}

pub struct Opportunities;

#[async_trait::async_trait]
impl RecordType for Opportunities {
    const TABLE: &'static Table = &opportunities::OPPORTUNITIES;
    type Row = Opportunity;
    type Draft = OpportunityDraft;
    type Write = OpportunityWrite;
    type Input = OpportunityInput;

    fn blank(_: Timestamp) -> OpportunityDraft {
        OpportunityDraft::blank()
    }
    fn draft_of(row: &Opportunity) -> OpportunityDraft {
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        OpportunityDraft {
            company: row.company.clone(),
            role: row.role.clone(),
            description: row.description.clone(),
            posting_url: row.posting_url.clone().unwrap_or_default(),
            location: row.location.clone(),
            work_mode: row.work_mode.clone(),
            salary_min: number(row.salary_min),
            salary_max: number(row.salary_max),
            currency: row.currency.clone(),
            source: row.source.clone(),
            status: row.status.to_string(),
            applied_on: row.applied_on.clone().unwrap_or_default(),
            next_action: row.next_action.clone(),
            next_action_due: row.next_action_due.clone().unwrap_or_default(),
            labels: label_text(&row.labels).into(),
            shown_next_action: Some((row.next_action.clone(), row.next_action_due.clone().unwrap_or_default())),
        }
    }
    fn label_names(input: &OpportunityInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Opportunity) -> SearchText {
        let title = format!("{} at {}", row.role, row.company);
        SearchText::new(&title, [row.location.as_str(), &row.source, &row.description])
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &OpportunityInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        opportunities::insert(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &OpportunityInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        opportunities::update(c, u, id, i, now).await
    }
    async fn before_delete(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        now: Timestamp,
    ) -> Result<Vec<String>, sqlx::Error> {
        interviews::forget_dependents(c, u, RecordKind::Opportunity, id).await?;
        // Its documents' files leave the store with it (its offer goes with the row).
        uploads::delete_for_opportunity(c, u, id, now).await
    }
    /// Its interviews and tasks are found by its company and role.
    async fn index_related(c: &mut AnyConnection, u: &UserId, id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
        for interview in interviews::interviews_for(&mut *c, u, id).await? {
            crate::services::records::index::<Interviews>(c, u, &interview.id, now).await?;
        }
        for task in tasks::ids_of_opportunity(&mut *c, u, id).await? {
            crate::services::records::index::<Tasks>(c, u, &task, now).await?;
        }
        Ok(())
    }
}

pub struct Contacts;

#[async_trait::async_trait]
impl RecordType for Contacts {
    const TABLE: &'static Table = &contacts::CONTACTS;
    type Row = Contact;
    type Draft = ContactDraft;
    type Write = ContactWrite;
    type Input = ContactInput;

    fn blank(_: Timestamp) -> ContactDraft {
        ContactDraft::blank()
    }
    fn draft_of(row: &Contact) -> ContactDraft {
        ContactDraft {
            name: row.name.clone(),
            company: row.company.clone(),
            role: row.role.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            links: row.links.0.join("\n"),
            how_we_met: row.how_we_met.clone(),
            notes: row.notes.clone(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &ContactInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Contact) -> SearchText {
        let links = row.links.0.iter().map(String::as_str);
        let details = [row.company.as_str(), &row.role, &row.email, &row.phone, &row.how_we_met, &row.notes];
        SearchText::new(&row.name, details.into_iter().chain(links))
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &ContactInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        contacts::insert_contact(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &ContactInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        contacts::update_contact(c, u, id, i, now).await
    }
    async fn before_delete(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        _: Timestamp,
    ) -> Result<Vec<String>, sqlx::Error> {
        interviews::forget_dependents(c, u, RecordKind::Contact, id).await?;
        Ok(Vec::new())
    }
}

pub struct Interviews;

#[async_trait::async_trait]
impl RecordType for Interviews {
    const TABLE: &'static Table = &interviews::INTERVIEWS;
    type Row = Interview;
    type Draft = InterviewDraft;
    type Write = InterviewWrite;
    type Input = InterviewInput;

    fn blank(_: Timestamp) -> InterviewDraft {
        InterviewDraft::blank()
    }
    fn draft_of(row: &Interview) -> InterviewDraft {
        InterviewDraft {
            opportunity_id: row.opportunity_id.clone(),
            round_name: row.round_name.clone(),
            kind: row.kind.to_string(),
            start: row.local_start.clone(),
            time_zone: row.time_zone.clone(),
            duration_minutes: row.duration_minutes.to_string(),
            location: row.location.clone(),
            meeting_url: row.meeting_url.clone().unwrap_or_default(),
            prep_notes: row.prep_notes.clone(),
            debrief_summary: row.debrief_summary.clone(),
            debrief_questions: row.debrief_questions.clone(),
            debrief_improve: row.debrief_improve.clone(),
            outcome: row.outcome.to_string(),
            labels: label_text(&row.labels).into(),
        }
    }
    fn label_names(input: &InterviewInput) -> &[String] {
        &input.labels
    }
    fn search_text(row: &Interview) -> SearchText {
        let title = format!("{} · {}", row.round_name, row.company);
        let texts = [
            &row.role,
            &row.location,
            &row.prep_notes,
            &row.debrief_summary,
            &row.debrief_questions,
            &row.debrief_improve,
        ];
        SearchText::new(&title, texts.map(String::as_str))
    }
    async fn check(db: &Db, user_id: &UserId, input: &InterviewInput) -> ServiceResult<FieldErrors> {
        let mut errors = FieldErrors::new();
        if !lists::exists(db.pool(), &opportunities::OPPORTUNITIES, user_id, &input.opportunity_id).await? {
            errors.add("opportunity_id", "Choose one of your opportunities.");
        }
        Ok(errors)
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &InterviewInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        interviews::insert_interview(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &InterviewInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        interviews::update_interview(c, u, id, i, now).await
    }
    async fn before_delete(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        _: Timestamp,
    ) -> Result<Vec<String>, sqlx::Error> {
        interviews::forget_dependents(c, u, RecordKind::Interview, id).await?;
        Ok(Vec::new())
    }
    async fn enrich(db: &Db, user_id: &UserId, rows: &mut [Interview]) -> ServiceResult<()> {
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let interviewers = interviews::interviewers_of(db.pool(), user_id, &ids).await?;
        for row in rows.iter_mut() {
            row.interviewers = interviewers.iter().filter(|(id, _)| *id == row.id).map(|(_, c)| c.clone()).collect();
        }
        Ok(())
    }
}

pub struct Notes;

#[async_trait::async_trait]
impl RecordType for Notes {
    const TABLE: &'static Table = &notes::NOTES;
    const LABELLED: bool = false;
    type Row = Note;
    type Draft = NoteDraft;
    type Write = NoteWrite;
    type Input = NoteInput;

    fn blank(_: Timestamp) -> NoteDraft {
        NoteDraft::default()
    }
    fn draft_of(row: &Note) -> NoteDraft {
        NoteDraft {
            subject_kind: row.subject_kind.to_string(),
            subject_id: row.subject_id.clone(),
            body: row.body.clone(),
        }
    }
    fn label_names(_: &NoteInput) -> &[String] {
        &[]
    }
    /// A note's first line is its title, as on its page.
    fn search_text(row: &Note) -> SearchText {
        let (first, rest) = row.body.trim().split_once('\n').unwrap_or((row.body.trim(), ""));
        let title: String = first.chars().take(80).collect();
        SearchText::new(&title, [rest])
    }
    async fn check(db: &Db, user_id: &UserId, input: &NoteInput) -> ServiceResult<FieldErrors> {
        let table = notes::note_subject_table(input.subject_kind);
        if lists::exists(db.pool(), table, user_id, &input.subject_id).await? {
            Ok(FieldErrors::new())
        } else {
            Ok(FieldErrors::single("subject_id", format!("Choose one of your {}.", table.kind.path())))
        }
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &NoteInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        notes::insert_note(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &NoteInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        notes::update_note(c, u, id, i, now).await
    }
    /// Name each note's subject, for the pages that list notes away from it.
    async fn enrich(db: &Db, user_id: &UserId, rows: &mut [Note]) -> ServiceResult<()> {
        let mut titles = notes::subject_titles(db.pool(), user_id, rows).await?;
        for note in rows.iter_mut() {
            note.subject_title = titles.remove(&note.subject_id).unwrap_or_default();
        }
        Ok(())
    }
}

pub struct Tasks;

#[async_trait::async_trait]
impl RecordType for Tasks {
    const TABLE: &'static Table = &tasks::TASKS;
    const LABELLED: bool = false;
    type Row = Task;
    type Draft = TaskDraft;
    type Write = TaskWrite;
    type Input = TaskInput;

    fn blank(_: Timestamp) -> TaskDraft {
        TaskDraft::default()
    }
    fn draft_of(row: &Task) -> TaskDraft {
        TaskDraft {
            title: row.title.clone(),
            due_on: row.due_on.clone().unwrap_or_default(),
            done: row.is_done(),
            opportunity_id: row.opportunity_id.clone().unwrap_or_default(),
            notes: row.notes.clone(),
        }
    }
    fn label_names(_: &TaskInput) -> &[String] {
        &[]
    }
    async fn check(db: &Db, user_id: &UserId, input: &TaskInput) -> ServiceResult<FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(opportunity_id) = &input.opportunity_id {
            if !lists::exists(db.pool(), &opportunities::OPPORTUNITIES, user_id, opportunity_id).await? {
                errors.add("opportunity_id", "Choose one of your opportunities.");
            }
        }
        Ok(errors)
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &TaskInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        tasks::insert_task(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &UserId,
        id: &str,
        i: &TaskInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        tasks::update_task(c, u, id, i, now).await
    }
}

impl HasContacts for Opportunities {
    const LINK: LinkedTo = LinkedTo::Opportunity;
}

impl HasContacts for Interviews {
    const LINK: LinkedTo = LinkedTo::Interview;
}
