module beacon.test/pflag-oracle

go 1.22

require github.com/spf13/pflag v1.0.5
