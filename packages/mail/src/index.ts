export {
  createMailer,
  messageIdFor,
  SmtpRejectedError,
  type Mailer,
  type MailerConfig,
  type OutgoingMessage,
  type SendResult,
} from './mailer.ts';
export {
  escapeHtml,
  renderConfirmation,
  renderConsentReceiptMail,
  type ConsentReceiptMailInput,
  renderWelcome,
  type ConfirmationInput,
  type RenderedMail,
  type SenderIdentity,
  type WelcomeInput,
} from './templates.ts';
