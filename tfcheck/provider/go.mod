module github.com/wsqgen/wsqgen/tfcheck/provider

go 1.24.0

require github.com/hashicorp/terraform-plugin-go v0.29.0 // indirect
