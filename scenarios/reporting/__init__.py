"""Report writers: console, JUnit XML, HTML with a timeline."""
