package awsconfig

// DroppedConnectionHeader exposes the header to the external tests.
func DroppedConnectionHeader() string { return droppedConnectionHeader }
