"""Tables in documents, read the way people print them: PDF pages (pdfplumber, OCR for scans) and HTML.

`pdf` and `html` turn a document into `RawTable`s; `reading` turns them into record candidates: header
matching (over up to three rows), tables stitched across pages, repeated headers, wrapped rows and page
furniture skipped, each skip with its reason. `options` checks the table_detection strategy_config.
"""
