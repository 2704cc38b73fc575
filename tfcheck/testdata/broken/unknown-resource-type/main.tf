# Broken on purpose: there is no resource type aws_sqs_queues.
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

resource "aws_sqs_queues" "main" {
  name = "tfcheck-broken"
}
