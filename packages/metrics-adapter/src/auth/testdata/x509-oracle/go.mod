module beacon.test/x509-oracle

go 1.26.0
