# Broken on purpose: visibility_timeout_seconds is misspelled.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_sqs_queue" "main" {
  name                    = "tfcheck-broken"
  sqs_managed_sse_enabled = true
  visibility_timeout_secs = 60
}
