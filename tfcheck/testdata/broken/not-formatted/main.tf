# Broken on purpose: the attribute below is not aligned as tofu fmt writes it.
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
  name = "tfcheck-broken"
  sqs_managed_sse_enabled = true
}
