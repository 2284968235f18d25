export {
  consentReceipt,
  RECEIPT_EVENT_SELECT,
  RECEIPT_MEDIA_TYPE,
  receiptFileName,
  receiptFromRow,
  receiptWordingWhere,
  type ReceiptEventRow,
  type ReceiptInput,
} from './consent-receipt.ts';
