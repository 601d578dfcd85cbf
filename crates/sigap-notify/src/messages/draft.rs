//! The shape every message is written in before it becomes text and HTML: a subject, a
//! greeting and a list of blocks of plain text. Blocks hold no markup, so that escaping
//! happens once, in [`crate::messages::render`].

use chrono::{DateTime, Utc};

use crate::links::{PublicLink, PublicUrl};
use crate::messages::{MailLang, TicketRef};
use crate::when::format_wib_long;

/// What a message writer needs to know besides the message itself.
pub(crate) struct Context<'a> {
    /// The ticket.
    pub ticket: &'a TicketRef,
    /// The reader's language.
    pub lang: MailLang,
    /// The base of links.
    pub public: &'a PublicUrl,
}

impl Context<'_> {
    /// Picks the text in the reader's language.
    pub fn t<'s>(&self, id: &'s str, en: &'s str) -> &'s str {
        self.lang.pick(id, en)
    }

    /// An instant in WIB, in the reader's language.
    pub fn when(&self, t: DateTime<Utc>) -> String {
        format_wib_long(t, self.lang)
    }

    /// A link to the ticket's staff page.
    pub fn ticket_link(&self) -> Block {
        Block::Link {
            label: self
                .t("Buka tiket di SIGAP", "Open the ticket in SIGAP")
                .to_owned(),
            link: self.public.ticket(&self.ticket.number),
        }
    }
}

/// A part of a message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A paragraph.
    Para(String),
    /// Label and value pairs, shown as a small table.
    Facts(Vec<(String, String)>),
    /// Text written by a person (a reason, a reply), shown as a quotation, line breaks kept.
    Quote(String),
    /// A button-like link into sigap.
    Link {
        /// What the link says.
        label: String,
        /// Where it goes.
        link: PublicLink,
    },
}

/// A message before rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Draft {
    /// The subject, without the TLP label and the ticket number.
    pub subject: String,
    /// The salutation line.
    pub greeting: String,
    /// The body.
    pub blocks: Vec<Block>,
}

impl Draft {
    /// A draft with a subject and a greeting and no body yet.
    pub fn new(subject: &str, greeting: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            greeting: greeting.to_owned(),
            blocks: Vec::new(),
        }
    }

    /// Adds a paragraph.
    pub fn para(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Para(text.into()));
        self
    }

    /// Adds label and value pairs.
    pub fn facts(mut self, facts: Vec<(&str, String)>) -> Self {
        let facts = facts
            .into_iter()
            .map(|(label, value)| (label.to_owned(), value))
            .collect();
        self.blocks.push(Block::Facts(facts));
        self
    }

    /// Adds a quotation of a person's text.
    pub fn quote(mut self, text: &str) -> Self {
        self.blocks.push(Block::Quote(text.to_owned()));
        self
    }

    /// Adds any block.
    pub fn block(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }
}
