# Broken on purpose: the mirror serves hashicorp/aws 6.25.0 only, so init must fail.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_sqs_queue" "main" {
  name                    = "tfcheck-broken"
  sqs_managed_sse_enabled = true
}
