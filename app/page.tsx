import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/dashboard";

export default async function Home() {
  redirect((await currentUser()) ? "/pay" : "/signup");
}
