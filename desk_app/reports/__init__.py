"""ReportLab documents: courier manifests, receipts, count sheets, daily reports."""
